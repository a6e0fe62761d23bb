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

# Script generated for node Customer Landing
CustomerLanding_node1 = glueContext.create_dynamic_frame.from_catalog(
    database="stedi", table_name="customer_landing", transformation_ctx="CustomerLanding_node1"
)

# Script generated for node Share With Research
SqlQuery0 = """
select * from customer_landing
where sharewithresearchasofdate is not null and sharewithresearchasofdate != 0;
"""
ShareWithResearch_node2 = sparkSqlQuery(
    glueContext,
    query=SqlQuery0,
    mapping={"customer_landing": CustomerLanding_node1},
    transformation_ctx="ShareWithResearch_node2",
)

# Script generated for node customer_trusted
CustomerTrusted_node3 = glueContext.getSink(
    path="s3://stedi-jivd/customer/trusted/",
    connection_type="s3",
    updateBehavior="UPDATE_IN_DATABASE",
    partitionKeys=[],
    enableUpdateCatalog=True,
    transformation_ctx="CustomerTrusted_node3",
)
CustomerTrusted_node3.setCatalogInfo(catalogDatabase="stedi", catalogTableName="customer_trusted")
CustomerTrusted_node3.setFormat("glueparquet", compression="snappy")
CustomerTrusted_node3.writeFrame(ShareWithResearch_node2)
job.commit()
