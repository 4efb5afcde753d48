"""The deployed tables and the local ones come from the same model descriptions."""

import pytest

from chalicelib import models
from deploy import resources
from local.dynamodb_local import dynamodb_client


def _keys(elements):
    return [(element["AttributeName"], element["KeyType"]) for element in elements]


def _indexes(indexes):
    return {
        index["IndexName"]: (_keys(index["KeySchema"]), index["Projection"]["ProjectionType"])
        for index in indexes or []
    }


def _shape(table, ttl_attribute):
    """What must agree between a described local table and a template table."""
    stream = table.get("StreamSpecification") or {}
    return {
        "keys": _keys(table["KeySchema"]),
        "attributes": sorted(
            (attr["AttributeName"], attr["AttributeType"]) for attr in table["AttributeDefinitions"]
        ),
        "global_indexes": _indexes(table.get("GlobalSecondaryIndexes")),
        "local_indexes": _indexes(table.get("LocalSecondaryIndexes")),
        "stream": stream.get("StreamViewType"),
        "ttl": ttl_attribute,
    }


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_local_tables_and_the_templates_tables_agree(dynamodb_local, stage):
    client = dynamodb_client(dynamodb_local.endpoint)
    template_tables = resources.table_resources(stage)
    assert len(template_tables) == len(models.TABLES)
    for short_name, model in models.TABLES.items():
        local = client.describe_table(TableName=model.Meta.table_name)["Table"]
        ttl = client.describe_time_to_live(TableName=model.Meta.table_name)
        local_ttl = ttl["TimeToLiveDescription"].get("AttributeName")
        deployed = template_tables[resources.table_logical_id(short_name)]["Properties"]
        deployed_ttl = deployed.get("TimeToLiveSpecification", {}).get("AttributeName")
        assert _shape(deployed, deployed_ttl) == _shape(local, local_ttl), short_name
        assert deployed["TableName"] == f"ahoum-{stage}-{short_name}"


def test_every_deployed_table_is_on_demand_with_point_in_time_recovery():
    for table in resources.table_resources("dev").values():
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["PointInTimeRecoverySpecification"] == {
            "PointInTimeRecoveryEnabled": True
        }


def test_prod_tables_refuse_deletion_and_outlive_their_stack():
    for table in resources.table_resources("prod").values():
        assert table["Properties"]["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


def test_dev_tables_go_away_with_their_stack():
    for table in resources.table_resources("dev").values():
        assert table["Properties"]["DeletionProtectionEnabled"] is False
        assert table["DeletionPolicy"] == "Delete"


def test_only_the_bookings_table_streams_and_it_streams_both_images():
    streaming = {
        logical_id: table["Properties"]["StreamSpecification"]
        for logical_id, table in resources.table_resources("prod").items()
        if "StreamSpecification" in table["Properties"]
    }
    assert streaming == {"BookingsTable": {"StreamViewType": "NEW_AND_OLD_IMAGES"}}
