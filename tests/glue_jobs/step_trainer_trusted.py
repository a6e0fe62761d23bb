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

# Script generated for node Step Trainer Landing
StepTrainerLanding_node1 = glueContext.create_dynamic_frame.from_catalog(
    database="stedi", table_name="step_trainer_landing", transformation_ctx="StepTrainerLanding_node1"
)

# Script generated for node Customer Curated
CustomerCurated_node2 = glueContext.create_dynamic_frame.from_catalog(
    database="stedi", table_name="customer_curated", transformation_ctx="CustomerCurated_node2"
)

# Script generated for node Curated Customers' Readings
SqlQuery3 = """
select distinct s.*
from step_trainer_landing s
where s.serialnumber in (select serialNumber from customer_curated)
"""
CuratedReadings_node3 = sparkSqlQuery(
    glueContext,
    query=SqlQuery3,
    mapping={"step_trainer_landing": StepTrainerLanding_node1, "customer_curated": CustomerCurated_node2},
    transformation_ctx="CuratedReadings_node3",
)

# Script generated for node step_trainer_trusted
StepTrainerTrusted_node4 = glueContext.getSink(
    path="s3://stedi-jivd/step_trainer/trusted/",
    connection_type="s3",
    updateBehavior="UPDATE_IN_DATABASE",
    partitionKeys=[],
    enableUpdateCatalog=True,
    transformation_ctx="StepTrainerTrusted_node4",
)
StepTrainerTrusted_node4.setCatalogInfo(catalogDatabase="stedi", catalogTableName="step_trainer_trusted")
StepTrainerTrusted_node4.setFormat("glueparquet", compression="snappy")
StepTrainerTrusted_node4.writeFrame(CuratedReadings_node3)
job.commit()
