import sys
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.dynamicframe import DynamicFrame


def sparkSqlQuery(glueContext, query, mapping, transformation_ctx) -> DynamicFrame:
    for alias, frame in mapping.items():
        frame.toDF().createOrReplaceTempView(alias)
    result = spark.sql(query)
    return DynamicFrame.fromDF(result, glueContext, transformation_ctx)


args = getResolvedOptions(sys.argv, ["JOB_NAME"])
sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

# Script generated for node Accelerometer Landing
AccelerometerLanding_node1 = glueContext.create_dynamic_frame.from_options(
    format_options={"multiLine": "false"},
    connection_type="s3",
    format="json",
    connection_options={"paths": ["s3://stedi-jivd/accelerometer/landing/"], "recurse": True},
    transformation_ctx="AccelerometerLanding_node1",
)

# Script generated for node Customer Trusted
CustomerTrusted_node2 = glueContext.create_dynamic_frame.from_catalog(
    database="stedi", table_name="customer_trusted", transformation_ctx="CustomerTrusted_node2"
)

# Script generated for node Consenting Readings
SqlQuery1 = """
select distinct a.* from accelerometer_landing a
where a.user in (select email from customer_trusted)
"""
ConsentingReadings_node3 = sparkSqlQuery(
    glueContext,
    query=SqlQuery1,
    mapping={"accelerometer_landing": AccelerometerLanding_node1, "customer_trusted": CustomerTrusted_node2},
    transformation_ctx="ConsentingReadings_node3",
)

# Script generated for node accelerometer_trusted
AccelerometerTrusted_node4 = glueContext.getSink(
    path="s3://stedi-jivd/accelerometer/trusted/",
    connection_type="s3",
    updateBehavior="UPDATE_IN_DATABASE",
    partitionKeys=[],
    enableUpdateCatalog=True,
    transformation_ctx="AccelerometerTrusted_node4",
)
AccelerometerTrusted_node4.setCatalogInfo(catalogDatabase="stedi", catalogTableName="accelerometer_trusted")
AccelerometerTrusted_node4.setFormat("glueparquet", compression="snappy")
AccelerometerTrusted_node4.writeFrame(ConsentingReadings_node3)
job.commit()
