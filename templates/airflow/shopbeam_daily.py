"""ShopBeam's daily templates in Airflow, with the Apache Beam provider.

Each task runs one template's main class from the bundled jar:
    java -cp shopbeam-bundled.jar dev.shopbeam.templates.<Template> --runner=... --option=value ...
Exit codes: 0 success, 1 the run failed after launch (partitions untouched), 2 invalid parameters
(a one-line message names the parameter). Re-running a day replaces that day's partitions, so Airflow
retries and clears are safe.

Set the Airflow Variables shopbeam_jar, shopbeam_input, shopbeam_format and shopbeam_output, or edit
the defaults below. Needs apache-airflow-providers-apache-beam.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.providers.apache.beam.operators.beam import BeamRunJavaPipelineOperator

JAR = Variable.get("shopbeam_jar", default_var="/opt/shopbeam/shopbeam-bundled.jar")
COMMON = {
    "input": Variable.get("shopbeam_input", default_var="/data/shop/events-*.csv.gz"),
    "format": Variable.get("shopbeam_format", default_var="online-retail"),
    "output": Variable.get("shopbeam_output", default_var="/data/shopbeam"),
    "outputFormat": "parquet",
}

with DAG(
    dag_id="shopbeam_daily",
    description="ShopBeam: a day's aggregates, then features and recommendations over 30 trailing days",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,  # old days: run the backfill template, one partition per day
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
    tags=["shopbeam"],
) as dag:
    daily_aggregates = BeamRunJavaPipelineOperator(
        task_id="daily_aggregates",
        jar=JAR,
        job_class="dev.shopbeam.templates.DailyAggregates",
        runner="FlinkRunner",
        pipeline_options={**COMMON, "date": "{{ ds }}"},
    )

    daily_features_and_recs = BeamRunJavaPipelineOperator(
        task_id="daily_features_and_recs",
        jar=JAR,
        job_class="dev.shopbeam.templates.DailyFeaturesAndRecs",
        runner="FlinkRunner",
        pipeline_options={**COMMON, "date": "{{ ds }}", "days": "30", "k": "10"},
    )

    daily_aggregates >> daily_features_and_recs
