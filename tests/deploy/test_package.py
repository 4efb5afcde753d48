"""`make package STAGE=prod`, offline: one CloudFormation template and a small zip.

The package is built once for the module (as `make package` does it) and inspected here.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bench.cold_start import runtime_provided
from chalice_config import CHALICE_DIR
from chalicelib import dynamodb, metrics, models
from chalicelib.config import LAMBDA_FUNCTION, PARAMETER_SUFFIX, secrets_read_by
from chalicelib.openapi import docs_page
from chalicelib.settings_table import number
from deploy import bundle, checks, packaging, project, resources
from deploy.project import dead_letter_queue_name, lambda_functions, secret_parameter
from local.paths import REPO_ROOT
from tests.support.errors import error_in

STAGE = "prod"
# Each Lambda's logical id → its role's (Chalice's naming), for every Lambda app.py declares.
ROLES = {
    logical_id: resources.camel_case(function) + "Role"
    for function, logical_id in lambda_functions().items()
}
STREAM_READ_ACTIONS = {
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
}
# Actions IAM cannot limit to a resource; a statement granting one stands alone, on '*'.
NO_RESOURCE_LEVEL = {"dynamodb:ListStreams"}
# Any other '*' is only the last segment of a log-stream name inside the function's own group.
_LOG_STREAMS = re.compile(r"^arn:\$\{AWS::Partition\}:logs:.*:log-group:/aws/lambda/[\w-]+:\*$")


# What a user's shell does not have: the test session's own app settings.
_APP_SETTINGS = ("STAGE", "JWT_SECRET", "CRM_WEBHOOK_SECRET", "BOOKINGS_STREAM_ARN", "DATA_DIR")


def rendered_policy_files():
    """The account-rendered policies `make deploy` leaves in .chalice/, with their contents."""
    return {path.name: path.read_bytes() for path in CHALICE_DIR.glob("policy-*.json")}


@pytest.fixture(scope="module")
def policies_before_packaging():
    return rendered_policy_files()


@pytest.fixture(scope="module")
def packaged(policies_before_packaging):
    """`make package STAGE=prod`, run as a user runs it (which also runs cfn-lint)."""
    environment = {k: v for k, v in os.environ.items() if k not in _APP_SETTINGS}
    result = subprocess.run(
        ["make", "--no-print-directory", "package", f"STAGE={STAGE}"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cfn-lint: dist/prod/sam.json is clean" in result.stdout
    return REPO_ROOT / "dist" / STAGE


@pytest.fixture(scope="module")
def dev_packaged(tmp_path_factory):
    """dev's package, as `make package STAGE=dev` writes it (cfn-lint and checkov included)."""
    out_dir = tmp_path_factory.mktemp("dev-package")
    environment = {k: v for k, v in os.environ.items() if k not in _APP_SETTINGS}
    result = subprocess.run(
        [sys.executable, "-m", "deploy", "package", "--stage", "dev", "--out", str(out_dir)],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out_dir / packaging.TEMPLATE_NAME


@pytest.fixture(scope="module")
def template(packaged):
    return json.loads((packaged / packaging.TEMPLATE_NAME).read_text())


@pytest.fixture(scope="module")
def template_text(packaged):
    return (packaged / packaging.TEMPLATE_NAME).read_text()


def resources_of_type(template, kind):
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == kind
    }


def statements(template, role):
    for policy in template["Resources"][role]["Properties"]["Policies"]:
        yield from policy["PolicyDocument"]["Statement"]


def as_list(value):
    return value if isinstance(value, list) else [value]


def resource_text(resource):
    """An IAM resource as text: the Fn::Sub string, or the GetAtt it points to."""
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        return resource["Fn::Sub"]
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return "GetAtt:" + ".".join(resource["Fn::GetAtt"])
    return resource


def test_cfn_lint_passes_on_the_packaged_template(packaged):
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), str(packaged / "sam.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_template_s_lambdas_are_those_app_py_declares(template):
    assert set(resources_of_type(template, "AWS::Serverless::Function")) == set(
        lambda_functions().values()
    )


def test_packaging_leaves_the_policies_chalice_deploy_sends_to_iam_alone(
    packaged, policies_before_packaging, template_text
):
    assert rendered_policy_files() == policies_before_packaging
    project = packaged / "project" / ".chalice"
    for function in lambda_functions():
        packaged_policy = (project / f"policy-{STAGE}-{function}.json").read_text()
        assert "Fn::Sub" in packaged_policy  # the template's own, kept under dist/


def test_every_model_table_and_index_is_in_the_template_with_its_keys(template):
    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    by_name = {table["Properties"]["TableName"]: table["Properties"] for table in tables.values()}
    assert set(by_name) == {f"ahoum-{STAGE}-{name}" for name in models.TABLES}
    for short_name, model in models.TABLES.items():
        wanted = dynamodb.table_definition(model)
        table = by_name[f"ahoum-{STAGE}-{short_name}"]
        assert table["KeySchema"] == wanted["KeySchema"]
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            assert table.get(kind) == wanted.get(kind), (short_name, kind)


def test_the_stream_handler_reads_the_bookings_table_of_the_same_template(template, template_text):
    handler = template["Resources"]["OnBookingChange"]["Properties"]
    (event,) = handler["Events"].values()
    assert event["Type"] == "DynamoDB"
    assert event["Properties"]["Stream"] == {"Fn::GetAtt": ["BookingsTable", "StreamArn"]}
    # The stand-in ARN chalice was given to import app.py is gone everywhere.
    assert "000000000000" not in template_text


def test_stream_mapping_reports_failed_records_bisects_and_gives_up_into_the_dlq(template):
    (event,) = template["Resources"]["OnBookingChange"]["Properties"]["Events"].values()
    mapping = event["Properties"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 0 < mapping["MaximumRetryAttempts"] <= 10
    assert 60 <= mapping["MaximumRecordAgeInSeconds"] < 24 * 60 * 60  # within stream retention
    assert mapping["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": [resources.DEAD_LETTER_QUEUE, "Arn"]},
    }
    queue = template["Resources"][resources.DEAD_LETTER_QUEUE]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert queue["Properties"]["QueueName"] == dead_letter_queue_name(STAGE)


def test_the_retrier_runs_every_minute_on_a_schedule(template):
    (event,) = template["Resources"]["RetryWebhooks"]["Properties"]["Events"].values()
    assert event == {"Type": "Schedule", "Properties": {"Schedule": "rate(1 minute)"}}


def test_the_reminders_run_every_15_minutes_on_a_schedule(template):
    (event,) = template["Resources"]["SendReminders"]["Properties"]["Events"].values()
    assert event == {"Type": "Schedule", "Properties": {"Schedule": "rate(15 minutes)"}}


def test_no_policy_has_a_wildcard_action_or_resource(template):
    for role in ROLES.values():
        for statement in statements(template, role):
            assert statement["Effect"] == "Allow"
            for action in as_list(statement["Action"]):
                assert "*" not in action, (role, action)
            if statement["Resource"] == "*":
                assert set(as_list(statement["Action"])) <= NO_RESOURCE_LEVEL, statement
                continue
            for resource in as_list(statement["Resource"]):
                text = resource_text(resource)
                assert "*" not in text or _LOG_STREAMS.match(text), (role, text)


def dynamodb_resource_kind(text):
    if "StreamArn" in text or "/stream/" in text:
        return "stream"
    return "index" if "/index/" in text else "table"


def test_every_policy_action_is_a_real_iam_action_on_the_right_kind_of_resource(template):
    import cfnlint.data.AdditionalSpecs as specs

    # cfn-lint skips this check on SAM templates; its table of IAM actions still knows them.
    known = json.loads((Path(specs.__file__).parent / "Policies.json").read_text())
    for role in ROLES.values():
        for statement in statements(template, role):
            for action in as_list(statement["Action"]):
                service, name = action.split(":")
                assert name.lower() in known[service]["Actions"], (role, action)
                if service != "dynamodb":
                    continue
                allowed = known[service]["Actions"][name.lower()].get("Resources", [])
                if statement["Resource"] == "*":
                    assert allowed == [], (role, action)  # truly no resource-level permission
                    continue
                for resource in as_list(statement["Resource"]):
                    kind = dynamodb_resource_kind(resource_text(resource))
                    assert kind in allowed, (role, action, resource)


def test_each_lambda_reaches_only_its_stage_and_what_it_uses(template):
    def reach(role):
        granted = {}
        for statement in statements(template, role):
            for resource in as_list(statement["Resource"]):
                granted.setdefault(resource_text(resource), set()).update(
                    as_list(statement["Action"])
                )
        return granted

    api, stream, retrier, reminders = (
        reach(ROLES[logical_id])
        for logical_id in ("APIHandler", "OnBookingChange", "RetryWebhooks", "SendReminders")
    )
    for granted in (reach(role) for role in ROLES.values()):
        for resource in granted:
            if ":dynamodb:" in resource:
                assert f":table/ahoum-{STAGE}-" in resource
    stream_reads = {
        resource for resource, actions in stream.items() if actions & STREAM_READ_ACTIONS
    }
    assert stream_reads == {"GetAtt:BookingsTable.StreamArn"}
    for granted in (api, retrier, reminders):
        assert not any(actions & STREAM_READ_ACTIONS for actions in granted.values())
        assert not any("sqs:SendMessage" in actions for actions in granted.values())
    dlq = {resource for resource, actions in stream.items() if "sqs:SendMessage" in actions}
    assert [r.rsplit(":", 1)[1] for r in dlq] == [dead_letter_queue_name(STAGE)]
    # The webhook Lambdas touch the deliveries table only.
    for granted in (stream, retrier):
        tables = {r.split(":table/")[1].split("/")[0] for r in granted if ":table/" in r}
        assert tables <= {f"ahoum-{STAGE}-bookings", f"ahoum-{STAGE}-webhook_deliveries"}
    tables = {r.split(":table/")[1].split("/")[0] for r in reminders if ":table/" in r}
    assert tables == {
        f"ahoum-{STAGE}-{name}" for name in ("events", "bookings", "webhook_deliveries")
    }


def test_each_lambda_names_and_may_read_only_its_own_secrets_parameters(template, template_text):
    for function, logical_id in lambda_functions().items():
        variables = template["Resources"][logical_id]["Properties"]["Environment"]["Variables"]
        own = {secret: secret_parameter(STAGE, secret) for secret in secrets_read_by(function)}
        assert variables[LAMBDA_FUNCTION] == function
        assert {
            name: value for name, value in variables.items() if name.endswith(PARAMETER_SUFFIX)
        } == {secret + PARAMETER_SUFFIX: parameter for secret, parameter in own.items()}
        assert not {"JWT_SECRET", "CRM_WEBHOOK_SECRET"} & set(variables)  # names, never values
        readable = {
            resource_text(resource).split(":parameter", 1)[1]
            for statement in statements(template, ROLES[logical_id])
            if any(action.startswith("ssm:") for action in as_list(statement["Action"]))
            for resource in as_list(statement["Resource"])
        }
        assert readable == set(own.values()), function
    assert "stand-in" not in template_text
    # The webhook Lambdas talk to the outside world: they never hold the token-signing key.
    for logical_id in ("OnBookingChange", "RetryWebhooks"):
        assert "jwt-secret" not in json.dumps(template["Resources"][ROLES[logical_id]])
        assert "jwt-secret" not in json.dumps(template["Resources"][logical_id])


def test_lambda_settings_suit_each_function(template):
    functions = [
        template["Resources"][logical_id]["Properties"]
        for logical_id in lambda_functions().values()
    ]
    api, stream, retrier = (
        template["Resources"][logical_id]["Properties"]
        for logical_id in ("APIHandler", "OnBookingChange", "RetryWebhooks")
    )
    assert api["Timeout"] < 29  # API Gateway gives up at 29 s
    assert stream["Timeout"] > api["Timeout"] and retrier["Timeout"] > api["Timeout"]
    assert retrier["Timeout"] < 60  # one run ends before the next minute's starts
    # Each run's budget, at the highest its setting accepts, ends inside its timeout with room
    # for a last POST (~5 s), and the reminders' well before the next quarter hour's run.
    reminders = template["Resources"]["SendReminders"]["Properties"]
    assert number("REMINDER_RUN_BUDGET_SECONDS").highest + 5 < reminders["Timeout"] < 15 * 60
    assert stream["Timeout"] > number("STREAM_SEND_BUDGET_SECONDS").highest + 5
    assert retrier["Timeout"] > number("RETRIER_BUDGET_SECONDS").highest + 5
    for function in functions:
        # Reserving any is refused on accounts with little unreserved concurrency (new accounts
        # have 10 in all); a stage may opt in with Chalice's own reserved_concurrency setting.
        assert "ReservedConcurrentExecutions" not in function
    for function in functions:
        assert function["Runtime"] == "python3.13"  # the zip's bytecode is for this Python
        assert function["MemorySize"] >= 128
        assert function["LoggingConfig"] == {"LogFormat": "JSON"}


def test_each_function_has_a_fixed_name_and_a_log_group_with_retention(template):
    names = {
        template["Resources"][logical_id]["Properties"]["FunctionName"]
        for logical_id in lambda_functions().values()
    }
    groups = resources_of_type(template, "AWS::Logs::LogGroup").values()
    assert {group["Properties"]["LogGroupName"] for group in groups} == {
        f"/aws/lambda/{name}" for name in names
    } | {f"/aws/apigateway/ahoum-{STAGE}-access"}
    assert all(group["Properties"]["RetentionInDays"] > 0 for group in groups)


GATEWAY_STATUS = {
    # An unknown route, with or without an Authorization header: the JSON 404.
    "MISSING_AUTHENTICATION_TOKEN": (404, "not_found"),
    "INVALID_SIGNATURE": (404, "not_found"),
    "EXPIRED_TOKEN": (404, "not_found"),
    "RESOURCE_NOT_FOUND": (404, "not_found"),
    "THROTTLED": (429, "too_many_requests"),
    "QUOTA_EXCEEDED": (429, "too_many_requests"),
    "ACCESS_DENIED": (403, "forbidden"),
    "WAF_FILTERED": (403, "forbidden"),
    "INVALID_API_KEY": (403, "forbidden"),
    "UNAUTHORIZED": (401, "unauthorized"),
    "REQUEST_TOO_LARGE": (413, "payload_too_large"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "unsupported_media_type"),
    "DEFAULT_4XX": (None, "bad_request"),
    "DEFAULT_5XX": (None, "internal_error"),
}
# What API Gateway says for a Bearer token sent to an unknown route: it quotes the header.
_ECHOING_MESSAGE = (
    "Authorization header requires 'Credential' parameter. Authorization header requires "
    "'Signature' parameter. ... Authorization=Bearer eyJhbGciOiJIUzI1NiJ9.secret.token"
)


def gateway_answer(response):
    """The body API Gateway would send, with its variables as they would be filled in."""
    body = response["responseTemplates"]["application/json"]
    for variable, value in {
        "$context.error.messageString": json.dumps(_ECHOING_MESSAGE),
        "$context.error.message": _ECHOING_MESSAGE,
        "$context.requestId": "req-1",
    }.items():
        body = body.replace(variable, value)
    return body


def test_gateway_answers_have_their_own_status_and_code_in_the_json_error_shape(template):
    body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    responses = body["x-amazon-apigateway-gateway-responses"]
    assert set(responses) == set(GATEWAY_STATUS)
    for response_type, (status, code) in GATEWAY_STATUS.items():
        response = responses[response_type]
        assert response.get("statusCode") == (str(status) if status else None), response_type
        error = error_in(json.loads(gateway_answer(response)))
        assert error["code"] == code, response_type
        headers = response["responseParameters"]
        assert headers["gatewayresponse.header.Cache-Control"] == "'no-store'"
        assert headers["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'"
    assert error_in(json.loads(gateway_answer(responses["DEFAULT_5XX"])))["request_id"] == "req-1"


def test_a_throttled_client_gets_429_with_retry_after(template):
    responses = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"][
        "x-amazon-apigateway-gateway-responses"
    ]
    throttled = responses["THROTTLED"]
    assert throttled["statusCode"] == "429"
    retry_after = throttled["responseParameters"]["gatewayresponse.header.Retry-After"]
    assert int(retry_after.strip("'")) >= 1  # a static value, quoted as API Gateway wants
    unauthorized = responses["UNAUTHORIZED"]["responseParameters"]
    assert unauthorized["gatewayresponse.header.WWW-Authenticate"] == "'Bearer'"


def test_no_gateway_answer_echoes_the_request_or_its_credentials(template, template_text):
    responses = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"][
        "x-amazon-apigateway-gateway-responses"
    ]
    for response_type, response in responses.items():
        answer = gateway_answer(response)
        assert "secret.token" not in answer and "Credential" not in answer, response_type
        for value in response["responseParameters"].values():
            assert value.startswith("'"), (response_type, value)  # static, never from the request
    assert "$context.error.message" not in template_text
    assert "method.request" not in json.dumps(responses)


def test_the_zip_is_under_5_mb_without_botocore_tests_or_dev_dependencies(packaged):
    report = bundle.inspect(packaged / packaging.ZIP_NAME)
    assert report.ok, report.problems
    assert report.size_bytes <= 5 * 1024 * 1024
    assert not {"botocore", "boto3", "tests", "local", "deploy"} & report.top_level
    assert not {"pytest", "ruff", "cfn-lint", "chalice"} & report.distributions


def test_the_zip_holds_the_app_and_every_runtime_requirement(packaged):
    report = bundle.inspect(packaged / packaging.ZIP_NAME)
    requirements = {
        bundle.normalize(line.split("==")[0])
        for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert requirements <= report.distributions
    assert {"app.py", "chalicelib", "chalice"} <= report.top_level
    with zipfile.ZipFile(packaged / packaging.ZIP_NAME) as archive:
        wheel = archive.read("bcrypt-5.0.0.dist-info/WHEEL").decode()
    assert "manylinux" in wheel and "x86_64" in wheel  # built for Lambda, not for this machine


def test_the_zip_leaves_out_requests_character_detector_which_no_lambda_needs(packaged):
    report = bundle.inspect(packaged / packaging.ZIP_NAME)
    assert "requests" in report.distributions
    assert not bundle.UNUSED_DISTRIBUTIONS & report.distributions
    assert "charset_normalizer" not in report.top_level


_POST_FROM_THE_ZIP = """
import sys, warnings
from datetime import UTC, datetime
sys.path[:0] = [sys.argv[1], sys.argv[3]]
warnings.simplefilter("error")
from chalicelib.webhooks import sender
assert "charset_normalizer" not in sys.modules and "chardet" not in sys.modules
secret = "whsec_QUJDREVGR0hJSktMTU5PUA=="
print(sender.post(sys.argv[2], secret, "d1", "{}", datetime.now(UTC)))
"""


def test_the_webhook_sender_runs_from_the_zip_without_a_detector_or_a_warning(packaged, tmp_path):
    """Only the zip's files and the runtime's botocore on the path (no site-packages, where
    the detector is installed for the tests): the sender imports without a warning, and a
    CRM's error answer in a charset it names is kept as UTF-8 with replacement characters."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Overloaded(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = "Überlastet".encode("latin-1")
            self.send_response(503)
            self.send_header("Content-Type", "text/plain; charset=latin-1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    task = tmp_path / "task"
    with zipfile.ZipFile(packaged / packaging.ZIP_NAME) as archive:
        archive.extractall(task)
    runtime = runtime_provided(tmp_path / "runtime")  # botocore and its family
    server = ThreadingHTTPServer(("127.0.0.1", 0), Overloaded)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-I",
                "-S",
                "-c",
                _POST_FROM_THE_ZIP,
                str(task),
                f"http://127.0.0.1:{server.server_address[1]}/hook",
                str(runtime),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "(503, 'HTTP 503: \ufffdberlastet')"


def test_the_zip_ships_every_file_the_docs_page_serves(packaged):
    with zipfile.ZipFile(packaged / packaging.ZIP_NAME) as archive:
        names = set(archive.namelist())
    served = {f"chalicelib/openapi/docs/{file_name}" for file_name, _ in docs_page.ASSETS.values()}
    assert served | {"chalicelib/openapi/docs/index.html"} <= names


def test_the_size_script_flags_a_zip_that_carries_botocore(tmp_path, capsys):
    oversized = tmp_path / "deployment.zip"
    with zipfile.ZipFile(oversized, "w") as archive:
        archive.writestr("app.py", "")
        archive.writestr("botocore/__init__.py", "")
        archive.writestr("botocore-1.0.0.dist-info/RECORD", "botocore/__init__.py,,\n")
    assert bundle.main([str(oversized)]) == 1
    assert "botocore is in the Lambda runtime already" in capsys.readouterr().out
    assert bundle.trim(oversized) == ["botocore", "botocore-1.0.0.dist-info"]
    assert bundle.main([str(oversized)]) == 0


def test_every_shipped_module_has_unchecked_hash_bytecode_for_the_runtime(packaged):
    with zipfile.ZipFile(packaged / packaging.ZIP_NAME) as archive:
        names = archive.namelist()
        sources = [name for name in names if name.endswith(".py")]
        headers = {name: archive.read(name)[:8] for name in names if name.endswith(".pyc")}
    assert "app.py" in sources and "chalicelib/bookings/seats.py" in sources
    # Exactly one .pyc per source, where CPython 3.13 looks: none from the working tree.
    assert set(headers) == {bundle.pyc_path(source) for source in sources}
    assert all(name.endswith(".cpython-313.pyc") for name in headers)
    for name, header in headers.items():
        assert header[:4] == importlib.util.MAGIC_NUMBER, name
        # PEP 552 flags: bit 0 hash-based, bit 1 check the source; unchecked is 0b01.
        assert int.from_bytes(header[4:8], "little") == 0b01, name


def alarms_by_metric(template):
    """The alarms on one metric, by (namespace, metric); metric-math alarms are not here."""
    return {
        (props["Namespace"], props["MetricName"]): props
        for props in (
            alarm["Properties"]
            for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        )
        if "MetricName" in props
    }


def single_metric_alarms(template, metric_name):
    return [
        alarm["Properties"]
        for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == metric_name
    ]


def dimensions(alarm):
    return {dimension["Name"]: dimension["Value"] for dimension in alarm["Dimensions"]}


def test_every_alarm_notifies_the_one_topic_which_emails_the_deploy_parameter(template):
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm").values()
    (topic,) = resources_of_type(template, "AWS::SNS::Topic")
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}]
        assert alarm["Properties"]["AlarmDescription"]
    (subscription,) = resources_of_type(template, "AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert template["Parameters"]["AlarmEmail"]["Default"] == ""
    # No address given, no subscription: an empty endpoint would fail the stack.
    assert template["Conditions"][subscription["Condition"]] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }


def test_the_alarms_watch_dead_letters_given_up_webhooks_stream_lag_5xx_and_lambda_errors(
    template,
):
    alarms = alarms_by_metric(template)
    dlq = alarms[("AWS/SQS", "ApproximateNumberOfMessagesVisible")]
    assert dimensions(dlq) == {"QueueName": dead_letter_queue_name(STAGE)}
    assert (dlq["Threshold"], dlq["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    given_up = alarms[(metrics.NAMESPACE, metrics.WEBHOOKS_GIVEN_UP)]
    assert dimensions(given_up) == {"Stage": STAGE}  # what chalicelib.metrics writes
    assert (given_up["Statistic"], given_up["Threshold"]) == ("Sum", 0)
    mismatched = alarms[(metrics.NAMESPACE, metrics.PAYMENTS_MISMATCHED)]
    assert dimensions(mismatched) == {"Stage": STAGE}
    assert (mismatched["Statistic"], mismatched["Threshold"]) == ("Sum", 0)
    lag = alarms[("AWS/Lambda", "IteratorAge")]
    assert dimensions(lag) == {"FunctionName": f"ahoum-bookings-{STAGE}-on_booking_change"}
    assert (lag["Statistic"], lag["Threshold"]) == ("Maximum", 5 * 60 * 1000)
    errors_5xx = alarms[("AWS/ApiGateway", "5XXError")]
    api_name = template["Resources"]["RestAPI"]["Properties"]["Name"]
    assert dimensions(errors_5xx) == {"ApiName": api_name, "Stage": "api"}
    assert api_name == f"ahoum-bookings-{STAGE}"  # one name per stage: metrics do not mix
    assert errors_5xx["Statistic"] == "Average" and 0 < errors_5xx["Threshold"] < 1
    function_errors = [
        dimensions(props)["FunctionName"] for props in single_metric_alarms(template, "Errors")
    ]
    assert sorted(function_errors) == sorted(
        template["Resources"][logical_id]["Properties"]["FunctionName"]
        for logical_id in lambda_functions().values()
    )
    for alarm in alarms.values():
        assert alarm["TreatMissingData"] == "notBreaching"


def test_a_refund_stuck_for_the_setting_s_minutes_or_refused_by_stripe_alarms(template):
    alarms = alarms_by_metric(template)
    stuck = alarms[(metrics.NAMESPACE, metrics.REFUNDS_STUCK)]
    refused = alarms[(metrics.NAMESPACE, metrics.REFUNDS_REFUSED)]
    for alarm in (stuck, refused):
        assert dimensions(alarm) == {"Stage": STAGE}  # what chalicelib.metrics writes
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
        assert alarm["TreatMissingData"] == "notBreaching"
    # The refund step counts the stuck ones every run (0 included): one still there alarms.
    assert stuck["Statistic"] == "Maximum" and refused["Statistic"] == "Sum"
    assert stuck["AlarmName"] == f"ahoum-{STAGE}-refunds-stuck"


# What an access log line may hold: $context variables that never carry the request's path or
# query values. $context.path would (a calendar feed's URL carries its secret); the resource path
# is the route template (/calendar/{feed_token}).
ACCESS_LOG_VARIABLES = {
    "$context.requestId": "req-1",
    "$context.identity.sourceIp": "203.0.113.9",
    "$context.httpMethod": "GET",
    "$context.resourcePath": "/calendar/{feed_token}",
    "$context.status": "200",
    "$context.responseLatency": "31",
    "$context.integrationLatency": "25",
    "$context.responseLength": "512",
    "$context.requestTime": "01/Dec/2026:10:00:00 +0000",
}


def test_api_access_logs_are_json_with_request_id_status_and_latency_kept_for_a_while(template):
    settings = template["Resources"]["RestAPI"]["Properties"]["AccessLogSetting"]
    assert settings["DestinationArn"] == {"Fn::GetAtt": [resources.ACCESS_LOG_GROUP, "Arn"]}
    group = template["Resources"][resources.ACCESS_LOG_GROUP]["Properties"]
    assert group["RetentionInDays"] > 0
    line = settings["Format"]
    for variable in sorted(ACCESS_LOG_VARIABLES, key=len, reverse=True):
        line = line.replace(variable, ACCESS_LOG_VARIABLES[variable])
    entry = json.loads(line)
    assert (entry["requestId"], entry["status"], entry["latencyMs"]) == ("req-1", 200, 31)
    assert entry["path"] == "/calendar/{feed_token}"


def test_api_access_logs_never_hold_a_path_parameter_s_value_or_a_query_string(template):
    line = template["Resources"]["RestAPI"]["Properties"]["AccessLogSetting"]["Format"]
    variables = re.findall(r"\$[A-Za-z][\w.]*", line)
    assert variables, "the format names no variable: is this the access log format?"
    assert set(variables) <= set(ACCESS_LOG_VARIABLES), set(variables) - set(ACCESS_LOG_VARIABLES)
    assert "$context.path" not in variables
    assert not re.search(r"\$(input|method|request|util)\b", line)


def test_the_api_stage_is_throttled_as_the_stage_config_says(template):
    (method_settings,) = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    throttling = json.loads((REPO_ROOT / ".chalice" / "config.json").read_text())["stages"][STAGE][
        "api_throttling"
    ]
    assert (method_settings["ResourcePath"], method_settings["HttpMethod"]) == ("/*", "*")
    assert method_settings["ThrottlingRateLimit"] == throttling["rate_limit"]
    assert method_settings["ThrottlingBurstLimit"] == throttling["burst_limit"]


def stage_config(stage):
    return json.loads((REPO_ROOT / ".chalice" / "config.json").read_text())["stages"][stage]


@pytest.fixture(params=["prod", "dev"])
def stage_and_template(request):
    if request.param == "prod":
        return "prod", request.getfixturevalue("template")
    return "dev", json.loads(request.getfixturevalue("dev_packaged").read_text())


def test_each_stage_s_api_stage_has_a_web_acl_limiting_each_client_address(stage_and_template):
    stage, template = stage_and_template
    ((acl_id, acl),) = resources_of_type(template, "AWS::WAFv2::WebACL").items()
    acl = acl["Properties"]
    assert (acl["Scope"], acl["DefaultAction"]) == ("REGIONAL", {"Allow": {}})
    (rule,) = acl["Rules"]
    assert rule["Action"] == {"Block": {}}
    wanted = stage_config(stage)["api_waf"]["requests_per_5_minutes_per_ip"]
    assert rule["Statement"] == {"RateBasedStatement": {"Limit": wanted, "AggregateKeyType": "IP"}}
    assert acl["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True
    (association,) = resources_of_type(template, "AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"] == {
        # The template's own REST API and the stage SAM makes for it (RestAPI.Stage).
        "ResourceArn": {
            "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}"
            "/stages/${RestAPI.Stage}"
        },
        "WebACLArn": {"Fn::GetAtt": [acl_id, "Arn"]},
    }
    assert template["Resources"]["RestAPI"]["Type"] == "AWS::Serverless::Api"
    assert template["Resources"]["RestAPI"]["Properties"]["StageName"] == "api"


def test_the_dev_package_passes_cfn_lint_and_checkov(dev_packaged):
    lint = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), str(dev_packaged)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    found = checks.findings(dev_packaged)
    assert checks.unlisted(found, checks.accepted()) == []


def test_a_stage_that_turns_its_web_acl_off_packages_none(monkeypatch):
    config = json.loads((REPO_ROOT / ".chalice" / "config.json").read_text())
    config["stages"]["dev"]["api_waf"] = {"enabled": False}
    monkeypatch.setattr(project, "load_config", lambda: config)
    merged = json.dumps(packaging.merge_template("dev"))
    assert "AWS::WAFv2" not in merged
    del config["stages"]["dev"]["api_waf"]  # not set: on, at the default limit
    acl = packaging.merge_template("dev")["Resources"][resources.WEB_ACL]
    assert acl["Type"] == "AWS::WAFv2::WebACL"
    (rule,) = acl["Properties"]["Rules"]
    assert rule["Statement"]["RateBasedStatement"]["Limit"] == project.DEFAULT_WAF_RATE_LIMIT


@pytest.mark.parametrize("limit", [99, 20_000_001, "1000", 1000.5, True])
def test_a_web_acl_limit_aws_would_refuse_stops_the_package_naming_the_setting(limit):
    config = json.loads((REPO_ROOT / ".chalice" / "config.json").read_text())
    config["stages"]["prod"]["api_waf"]["requests_per_5_minutes_per_ip"] = limit
    with pytest.raises(project.DeployError, match="requests_per_5_minutes_per_ip"):
        project.api_waf_rate_limit("prod", config)
    for bound in project.WAF_RATE_LIMIT_BOUNDS:
        config["stages"]["prod"]["api_waf"]["requests_per_5_minutes_per_ip"] = bound
        assert project.api_waf_rate_limit("prod", config) == bound


def test_checkov_finds_nothing_deploy_checks_md_does_not_explain(packaged):
    found = checks.findings(packaged / packaging.TEMPLATE_NAME)
    listed = checks.accepted()
    assert found, "checkov reported nothing: is it reading the template?"
    assert checks.unlisted(found, listed) == []
    assert checks.stale(found, listed) == []


def function_names(template):
    return sorted(
        template["Resources"][logical_id]["Properties"]["FunctionName"]
        for logical_id in lambda_functions().values()
    )


def test_every_lambda_has_an_alarm_on_being_throttled(template):
    throttles = single_metric_alarms(template, "Throttles")
    assert sorted(dimensions(alarm)["FunctionName"] for alarm in throttles) == function_names(
        template
    )
    for alarm in throttles:
        assert (alarm["Namespace"], alarm["Statistic"], alarm["Threshold"]) == (
            "AWS/Lambda",
            "Sum",
            0,
        )


def table_alarms(template, metric_name):
    """Metric-math alarms on ``metric_name`` of one table, by table: the operations summed."""
    found = {}
    for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").values():
        queries = alarm["Properties"].get("Metrics", [])
        stats = [query["MetricStat"] for query in queries if "MetricStat" in query]
        if not stats or stats[0]["Metric"]["MetricName"] != metric_name:
            continue
        tables = {dimensions(stat["Metric"])["TableName"] for stat in stats}
        (table,) = tables
        (expression,) = [query for query in queries if "Expression" in query]
        assert expression["Expression"] == "SUM(METRICS())" and expression["ReturnData"]
        assert not any(query.get("ReturnData") for query in queries if "MetricStat" in query)
        assert len(queries) <= 10  # CloudWatch's limit for one alarm
        assert alarm["Properties"]["Threshold"] == 0
        assert alarm["Properties"]["TreatMissingData"] == "notBreaching"
        found[table] = sorted(dimensions(stat["Metric"])["Operation"] for stat in stats)
    return found


@pytest.mark.parametrize("metric_name", ["ThrottledRequests", "SystemErrors"])
def test_every_table_has_an_alarm_on_throttled_requests_and_system_errors(template, metric_name):
    from deploy.monitoring import DYNAMODB_OPERATIONS

    found = table_alarms(template, metric_name)
    assert set(found) == {f"ahoum-{STAGE}-{name}" for name in models.TABLES}
    for operations in found.values():
        assert operations == sorted(DYNAMODB_OPERATIONS)


def test_the_table_alarms_sum_every_operation_a_lambda_may_call():
    from deploy.monitoring import DYNAMODB_OPERATIONS
    from deploy.policies import SOURCE_DIR, source

    stream_reads = {"DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"}
    granted = {
        action.removeprefix("dynamodb:")
        for path in SOURCE_DIR.glob("*.json")
        for statement in source(path.stem)["Statement"]
        for action in as_list(statement["Action"])
        if action.startswith("dynamodb:")
    }
    # A transaction's condition checks are authorized as ConditionCheckItem but counted under
    # TransactWriteItems, which is no IAM action of its own.
    called = granted - stream_reads - {"ConditionCheckItem"} | {"TransactWriteItems"}
    assert called == set(DYNAMODB_OPERATIONS)


def test_a_delivery_due_for_more_than_15_minutes_raises_an_alarm(template):
    (alarm,) = single_metric_alarms(template, metrics.RETRIER_OLDEST_DUE_AGE)
    assert alarm["Namespace"] == metrics.NAMESPACE
    assert dimensions(alarm) == {"Stage": STAGE}  # what chalicelib.metrics writes
    assert metrics.UNITS[metrics.RETRIER_OLDEST_DUE_AGE] == "Seconds"
    assert (alarm["Statistic"], alarm["Threshold"]) == ("Maximum", 15 * 60)


def test_api_p99_latency_over_3_seconds_for_10_minutes_raises_an_alarm(template):
    (alarm,) = single_metric_alarms(template, "Latency")
    assert dimensions(alarm) == {"ApiName": f"ahoum-bookings-{STAGE}", "Stage": "api"}
    assert alarm["ExtendedStatistic"] == "p99" and "Statistic" not in alarm
    assert alarm["Threshold"] == 3000  # API Gateway's Latency is in milliseconds
    assert alarm["Period"] * alarm["EvaluationPeriods"] == 10 * 60


def dashboard_metrics(template):
    (dashboard,) = resources_of_type(template, "AWS::CloudWatch::Dashboard").values()
    properties = dashboard["Properties"]
    body = json.loads(properties["DashboardBody"]["Fn::Sub"].replace("${AWS::Region}", "x"))
    return properties["DashboardName"], {
        widget["properties"]["title"]: [
            tuple(part for part in line if not isinstance(part, dict))
            for line in widget["properties"]["metrics"]
        ]
        for widget in body["widgets"]
    }


def test_one_dashboard_per_stage_shows_bookings_deliveries_backlog_api_and_stream_lag(template):
    name, widgets = dashboard_metrics(template)
    assert name == f"ahoum-{STAGE}"
    own = metrics.NAMESPACE
    stage = ("Stage", STAGE)
    api = ("ApiName", f"ahoum-bookings-{STAGE}", "Stage", "api")
    assert widgets["Bookings"] == [
        (own, metrics.BOOKINGS_CONFIRMED, *stage),
        (own, metrics.BOOKINGS_WAITLISTED, *stage),
        (own, metrics.BOOKINGS_CANCELLED, *stage),
    ]
    assert widgets["CRM deliveries by outcome"] == [
        (own, metrics.WEBHOOKS_SENT, *stage),
        (own, metrics.WEBHOOKS_FAILED, *stage),
        (own, metrics.WEBHOOKS_GIVEN_UP, *stage),
    ]
    assert widgets["Retrier backlog"] == [
        (own, metrics.RETRIER_BACKLOG, *stage),
        (own, metrics.RETRIER_OLDEST_DUE_AGE, *stage),
    ]
    assert widgets["API latency (ms)"] == [("AWS/ApiGateway", "Latency", *api)] * 2
    assert widgets["API answers: 4xx and 5xx"] == [
        ("AWS/ApiGateway", name_, *api) for name_ in ("Count", "4XXError", "5XXError")
    ]
    assert widgets["Bookings stream: iterator age (ms)"] == [
        ("AWS/Lambda", "IteratorAge", "FunctionName", f"ahoum-bookings-{STAGE}-on_booking_change")
    ]
    custom = {line[1] for lines in widgets.values() for line in lines if line[0] == own}
    assert custom <= set(metrics.UNITS)  # only metrics the app writes
