# The vendors' own SDKs as the oracle for the simulators' wire shapes (issue 18).
#
# Reads a plan (JSON on stdin) of calls, makes each through the official SDK
# (alibabacloud-gwlb20240415 for GWLB, huaweicloudsdkelb for ELB v3), and prints one JSON document:
# for every call, what the SDK made of it (its parsed model, or its typed exception with the fields a
# caller reads), and the raw answer walked against the SDK's model classes: a field the model does not
# declare, a field it declares that the answer lacks, or a value of the wrong type is an issue.
#
# The walk needs the raw JSON, which the SDKs parse and then drop: GWLB's is caught at the SDK's
# call_api (the dict it builds its model from), ELB's is the response's raw_content.
import json
import re
import sys
import traceback
import typing
import urllib.request

from alibabacloud_gwlb20240415 import models as gwlb_models
from alibabacloud_gwlb20240415.client import Client as GwlbClient
from alibabacloud_tea_openapi import exceptions as ali_exceptions
from alibabacloud_tea_openapi import models as open_api_models
from darabonba.model import DaraModel
from darabonba.runtime import RuntimeOptions
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions as hw_exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkelb import v3 as elb
from huaweicloudsdkelb.v3 import ElbClient


def snake(name):
    return re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()


# ------------------------------------------------------------------ GWLB: Dara models

def dara_fields(cls):
    """JSON key -> (attribute, type) of a Dara model, found by setting one attribute at a time and seeing
    which key of to_map() changes (the generated to_map is the SDK's own statement of the mapping)."""
    hints = typing.get_type_hints(cls.__init__, vars(sys.modules[cls.__module__]))
    hints.pop('return', None)
    base = cls().to_map()
    fields = {}
    for attr, hint in hints.items():
        m = cls()
        setattr(m, attr, probe_value(hint))
        after = m.to_map()
        changed = [k for k in after if k not in base or after[k] != base[k]]
        if len(changed) != 1:
            raise RuntimeError(f'{cls.__name__}.{attr}: cannot tell its JSON key ({changed})')
        fields[changed[0]] = (attr, hint)
    return fields


def probe_value(hint):
    origin = typing.get_origin(hint)
    if origin in (list, typing.List):
        (inner,) = typing.get_args(hint)
        return [probe_value(inner)]
    if origin in (dict, typing.Dict):
        return {'probe': 'probe'}
    if isinstance(hint, type) and issubclass(hint, DaraModel):
        return hint()
    if hint is bool:
        return True
    if hint in (int, float):
        return 7
    if hint is str:
        return 'probe'
    return 'probe'


def walk_dara(value, hint, path, issues, parent=None):
    origin = typing.get_origin(hint)
    if value is None:
        issues.append({'path': path, 'issue': 'null', 'model': parent})
        return
    if origin in (list, typing.List):
        if not isinstance(value, list):
            issues.append({'path': path, 'issue': 'type', 'expected': 'list', 'got': type(value).__name__})
            return
        (inner,) = typing.get_args(hint)
        for i, v in enumerate(value):
            walk_dara(v, inner, f'{path}[{i}]', issues, parent)
        return
    if origin in (dict, typing.Dict):
        if not isinstance(value, dict):
            issues.append({'path': path, 'issue': 'type', 'expected': 'dict', 'got': type(value).__name__})
        return
    if isinstance(hint, type) and issubclass(hint, DaraModel):
        if not isinstance(value, dict):
            issues.append({'path': path, 'issue': 'type', 'expected': hint.__name__, 'got': type(value).__name__})
            return
        fields = dara_fields(hint)
        for key, v in value.items():
            if key not in fields:
                issues.append({'path': f'{path}.{key}', 'issue': 'unknown', 'model': hint.__name__})
                continue
            walk_dara(v, fields[key][1], f'{path}.{key}', issues, hint.__name__)
        for key in fields:
            if key not in value:
                issues.append({'path': f'{path}.{key}', 'issue': 'missing', 'model': hint.__name__})
        return
    check_scalar(value, hint, path, issues)


def check_scalar(value, hint, path, issues):
    name = hint if isinstance(hint, str) else getattr(hint, '__name__', str(hint))
    ok = {
        'str': isinstance(value, str),
        'int': isinstance(value, int) and not isinstance(value, bool),
        'float': isinstance(value, (int, float)) and not isinstance(value, bool),
        'bool': isinstance(value, bool),
        'object': True,
        'Any': True,
    }.get(name)
    if ok is None:
        issues.append({'path': path, 'issue': 'unhandled type', 'expected': name})
    elif not ok:
        issues.append({'path': path, 'issue': 'type', 'expected': name, 'got': type(value).__name__})


def gwlb_client(target):
    config = open_api_models.Config(
        access_key_id=target['accessKeyId'],
        access_key_secret=target['accessKeySecret'],
        security_token=target.get('securityToken'),
        endpoint=target['endpoint'],
        protocol='HTTP',
        region_id=target['region'],
    )
    client = GwlbClient(config)
    raw = {}
    call_api = client.call_api

    def recording_call_api(params, request, runtime):
        answer = call_api(params, request, runtime)
        raw['answer'] = answer
        return answer

    client.call_api = recording_call_api
    return client, raw


def gwlb_call(call, target):
    client, raw = gwlb_client({**target, **call.get('credentials', {})})
    action = call['action']
    request = getattr(gwlb_models, f'{action}Request')().from_map(call['args'])
    runtime = RuntimeOptions(autoretry=False, max_attempts=1, read_timeout=10000, connect_timeout=5000)
    out = {'name': call['name'], 'provider': 'alibaba-gwlb', 'action': action}
    try:
        response = getattr(client, f'{snake(action)}_with_options')(request, runtime)
        answer = raw['answer']['body']
        issues = []
        walk_dara(answer, getattr(gwlb_models, f'{action}ResponseBody'), '$', issues)
        answered(out, response.status_code, response.body.to_map(), response.body.request_id, answer, issues)
    except ali_exceptions.AlibabaCloudException as e:
        raised(out, e, e.code, e.message, e.status_code, e.request_id, data=e.data)
    return out


def answered(out, status_code, model, request_id, answer, issues):
    out.update({'ok': True, 'statusCode': status_code, 'model': model, 'requestId': request_id, 'issues': issues, 'raw': answer})


def raised(out, e, code, message, status_code, request_id, **extra):
    """What a caller reads from the SDK's exception."""
    out['ok'] = False
    out['error'] = {'class': type(e).__name__, 'code': code, 'message': message, 'statusCode': status_code, 'requestId': request_id, **extra}


# ------------------------------------------------------------------ ELB: openapi_types models

def elb_model(type_name):
    return getattr(elb, type_name, None)


def walk_elb(value, type_name, path, issues, parent=None):
    if value is None:
        issues.append({'path': path, 'issue': 'null', 'model': parent, 'expected': type_name})
        return
    m = re.fullmatch(r'list\[(.+)\]', type_name)
    if m:
        if not isinstance(value, list):
            issues.append({'path': path, 'issue': 'type', 'expected': type_name, 'got': type(value).__name__})
            return
        for i, v in enumerate(value):
            walk_elb(v, m.group(1), f'{path}[{i}]', issues, parent)
        return
    if type_name.startswith('dict('):
        if not isinstance(value, dict):
            issues.append({'path': path, 'issue': 'type', 'expected': type_name, 'got': type(value).__name__})
        return
    cls = elb_model(type_name)
    if cls is not None and hasattr(cls, 'openapi_types'):
        if not isinstance(value, dict):
            issues.append({'path': path, 'issue': 'type', 'expected': type_name, 'got': type(value).__name__})
            return
        by_key = {cls.attribute_map[a]: t for a, t in cls.openapi_types.items()}
        for key, v in value.items():
            if key not in by_key:
                issues.append({'path': f'{path}.{key}', 'issue': 'unknown', 'model': type_name})
                continue
            walk_elb(v, by_key[key], f'{path}.{key}', issues, type_name)
        for key in by_key:
            if key not in value:
                issues.append({'path': f'{path}.{key}', 'issue': 'missing', 'model': type_name})
        return
    check_scalar(value, type_name, path, issues)


def build_elb(cls, data):
    """An SDK request model from plain JSON, keys as the wire names them."""
    kwargs = {}
    for attr, type_name in cls.openapi_types.items():
        key = cls.attribute_map[attr]
        if key not in data:
            continue
        kwargs[attr] = build_value(type_name, data[key])
    return cls(**kwargs)


def build_value(type_name, value):
    m = re.fullmatch(r'list\[(.+)\]', type_name)
    if m:
        return [build_value(m.group(1), v) for v in value]
    cls = elb_model(type_name)
    if cls is not None and hasattr(cls, 'openapi_types') and isinstance(value, dict):
        return build_elb(cls, value)
    return value


def elb_client(target):
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    credentials = BasicCredentials(target['accessKey'], target['secretKey'], target['projectId'])
    if target.get('securityToken'):
        credentials = credentials.with_security_token(target['securityToken'])
    return (
        ElbClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_endpoints([target['endpoint']])
        .build()
    )


def elb_call(call, target):
    client = elb_client({**target, **call.get('credentials', {})})
    action = call['action']
    request = build_elb(getattr(elb, f'{action}Request'), call['args'])
    out = {'name': call['name'], 'provider': 'huawei-elb', 'action': action}
    try:
        response = getattr(client, snake(action))(request)
        answer = json.loads(response.raw_content.decode('utf-8')) if response.raw_content else None
        issues = []
        walk_elb(answer, f'{action}Response', '$', issues)
        answered(out, response.status_code, response.to_dict(), getattr(response, 'request_id', None), answer, issues)
    except hw_exceptions.ServiceResponseException as e:
        raised(out, e, e.error_code, e.error_msg, e.status_code, e.request_id)
    return out


# ------------------------------------------------------------------ the plan

def admin(url, method, path, body=None):
    data = None if body is None else json.dumps(body).encode('utf-8')
    req = urllib.request.Request(url + path, data=data, method=method, headers={'content-type': 'application/json'})
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()


def self_check():
    """The walk on planted answers: the test asserts it finds exactly what was planted."""
    ali = []
    walk_dara(
        {'RequestId': 7, 'Planted': 1, 'MaxResults': 1, 'NextToken': '',
         'Servers': [{'Port': 1, 'ServerGroupId': 's', 'ServerType': 'Ecs', 'Status': 'Adding', 'ServerIp': '1.1.1.1'}]},
        gwlb_models.ListServerGroupServersResponseBody, '$', ali)
    hw = []
    member = {elb.Member.attribute_map[a]: None for a in elb.Member.openapi_types}
    member.update({'id': 'm', 'name': '', 'project_id': 'p', 'admin_state_up': True, 'subnet_cidr_id': 's', 'protocol_port': '80',
                   'weight': 1, 'address': '10.0.0.1', 'ip_version': 'v4', 'operating_status': 'ONLINE', 'status': [],
                   'created_at': '', 'updated_at': '', 'member_type': 'ip', 'instance_id': '', 'availability_zone': '', 'planted': 1})
    walk_elb({'request_id': 'r', 'members': [member]}, 'ListMembersResponse', '$', hw)
    return {'alibaba': ali, 'huawei': hw}


def main():
    if '--self-check' in sys.argv:
        sys.stdout.write(json.dumps({'results': [], **self_check()}) + '\n')
        return
    plan = json.load(sys.stdin)
    results = []
    for call in plan['calls']:
        target = plan[call['provider']]
        if 'faults' in call:
            admin(target['admin'], 'PUT', '/_sim/faults', call['faults'])
        try:
            if call['provider'] == 'alibaba':
                results.append(gwlb_call(call, target))
            else:
                results.append(elb_call(call, target))
        except Exception:  # an SDK that cannot parse the answer fails here: that is a finding, not a crash
            results.append({'name': call['name'], 'provider': call['provider'], 'action': call['action'], 'crash': traceback.format_exc()})
        finally:
            if 'faults' in call:
                admin(target['admin'], 'DELETE', '/_sim/faults')
    sys.stdout.write(json.dumps({'results': results}) + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
