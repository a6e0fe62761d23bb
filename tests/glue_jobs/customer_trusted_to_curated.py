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

# Script generated for node Customer Trusted
CustomerTrusted_node1 = glueContext.create_dynamic_frame.from_catalog(
    database="stedi", table_name="customer_trusted", transformation_ctx="CustomerTrusted_node1"
)

# Script generated for node Accelerometer Trusted
AccelerometerTrusted_node2 = glueContext.create_dynamic_frame.from_catalog(
    database="stedi", table_name="accelerometer_trusted", transformation_ctx="AccelerometerTrusted_node2"
)

# Script generated for node Customers With Readings
SqlQuery2 = """
select distinct c.*
from customer_trusted c
join accelerometer_trusted a on c.email = a.user
"""
CustomersWithReadings_node3 = sparkSqlQuery(
    glueContext,
    query=SqlQuery2,
    mapping={"customer_trusted": CustomerTrusted_node1, "accelerometer_trusted": AccelerometerTrusted_node2},
    transformation_ctx="CustomersWithReadings_node3",
)

# Script generated for node customer_curated
CustomerCurated_node4 = glueContext.getSink(
    path="s3://stedi-jivd/customer/curated/",
    connection_type="s3",
    updateBehavior="UPDATE_IN_DATABASE",
    partitionKeys=[],
    enableUpdateCatalog=True,
    transformation_ctx="CustomerCurated_node4",
)
CustomerCurated_node4.setCatalogInfo(catalogDatabase="stedi", catalogTableName="customer_curated")
CustomerCurated_node4.setFormat("glueparquet", compression="snappy")
CustomerCurated_node4.writeFrame(CustomersWithReadings_node3)
job.commit()
