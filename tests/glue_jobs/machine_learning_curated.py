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

# Script generated for node Step Trainer Trusted
StepTrainerTrusted_node1 = glueContext.create_dynamic_frame.from_catalog(
    database="stedi", table_name="step_trainer_trusted", transformation_ctx="StepTrainerTrusted_node1"
)

# Script generated for node Accelerometer Trusted
AccelerometerTrusted_node2 = glueContext.create_dynamic_frame.from_catalog(
    database="stedi", table_name="accelerometer_trusted", transformation_ctx="AccelerometerTrusted_node2"
)

# Script generated for node Readings At The Same Time
SqlQuery4 = """
select s.sensorReadingTime, s.serialNumber, s.distanceFromObject, a.timestamp, a.x, a.y, a.z
from step_trainer_trusted s
inner join accelerometer_trusted a on s.sensorreadingtime = a.`timestamp`
"""
SameTime_node3 = sparkSqlQuery(
    glueContext,
    query=SqlQuery4,
    mapping={"step_trainer_trusted": StepTrainerTrusted_node1, "accelerometer_trusted": AccelerometerTrusted_node2},
    transformation_ctx="SameTime_node3",
)

# Script generated for node machine_learning_curated
MachineLearningCurated_node4 = glueContext.getSink(
    path="s3://stedi-jivd/step_trainer/curated/",
    connection_type="s3",
    updateBehavior="UPDATE_IN_DATABASE",
    partitionKeys=[],
    enableUpdateCatalog=True,
    transformation_ctx="MachineLearningCurated_node4",
)
MachineLearningCurated_node4.setCatalogInfo(catalogDatabase="stedi", catalogTableName="machine_learning_curated")
MachineLearningCurated_node4.setFormat("glueparquet", compression="snappy")
MachineLearningCurated_node4.writeFrame(SameTime_node3)
job.commit()
