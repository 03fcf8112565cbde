// GWLB errors as classes named after the provider's codes, with the HTTP status and message template the
// documents give (alibaba-gwlb.md §3). The front renders them as {RequestId, HostId, Code, Message, Recommend}.

export class GwlbError extends Error {
  override name = 'GwlbError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

// ---- AddServersToServerGroup's table (seed, §3.1)

/** "The %s [%s] is conflict.": the server is already in the group. */
export class ConflictServer extends GwlbError {
  constructor(server: string) {
    super(400, 'Conflict.Server', `The Server [${server}] is conflict.`);
  }
}

/** "The %s is mismatched for %s and %s.": an Ip server in an Instance group or the reverse. */
export class MismatchServerType extends GwlbError {
  constructor(groupType: string, serverType: string) {
    super(
      400,
      'Mismatch.ServerType',
      `The ServerType is mismatched for ServerGroup(${groupType}) and Server(${serverType}).`,
    );
  }
}

/** "The specified resource of %s is in use.": the IP belongs to the GWLB instance or another member. */
export class ResourceInUseIP extends GwlbError {
  constructor(ip: string) {
    super(400, 'ResourceInUse.IP', `The specified resource of IP(${ip}) is in use.`);
  }
}

/** "The param of %s is illegal.": ServerIp is not an IPv4 address. */
export class IllegalParamServerIp extends GwlbError {
  constructor(param: string) {
    super(400, 'IllegalParam.ServerIp', `The param of ${param} is illegal.`);
  }
}

/** "The param of %s is illegal.": the ECS instance is on the classic network. */
export class IllegalParamEcsNetworkType extends GwlbError {
  constructor(instanceId: string) {
    super(400, 'IllegalParam.EcsNetworkType', `The param of EcsNetworkType(${instanceId}: classic) is illegal.`);
  }
}

/** "The param of %s is duplicated.": the same server twice in one call. */
export class DuplicatedParamServer extends GwlbError {
  constructor(server: string) {
    super(400, 'DuplicatedParam.Server', `The param of Server(${server}) is duplicated.`);
  }
}

/** "The specified resource of %s is in use.": the ENI belongs to a GWLB instance. */
export class ResourceInUseEni extends GwlbError {
  constructor(eniId: string) {
    super(400, 'ResourceInUse.Eni', `The specified resource of Eni(${eniId}) is in use.`);
  }
}

/** "The status of %s [%s] is incorrect.": the ENI is attaching, detaching, creating or deleting. */
export class IncorrectStatusEni extends GwlbError {
  constructor(eniId: string, status: string) {
    super(400, 'IncorrectStatus.Eni', `The status of Eni [${eniId}] is incorrect: ${status}.`);
  }
}

/** "The param of %s is illegal.": an Ip-type server whose id is not a private IPv4 address. */
export class IllegalParamIP extends GwlbError {
  constructor(ip: string) {
    super(400, 'IllegalParam.IP', `The param of IP(${ip}) is illegal.`);
  }
}

/** "The %s is mismatched for %s and %s.": ServerIp does not match the server. */
export class MismatchIP extends GwlbError {
  constructor(serverId: string, serverIp: string) {
    super(400, 'Mismatch.IP', `The IP is mismatched for ${serverId} and ${serverIp}.`);
  }
}

/** "The %s is mismatched for %s and %s.": the backend is in another VPC than the group. */
export class MismatchVpcId extends GwlbError {
  constructor(groupVpc: string, serverVpc: string) {
    super(400, 'Mismatch.VpcId', `The VpcId is mismatched for ${groupVpc} and ${serverVpc}.`);
  }
}

/** "The quota of %s is exceeded for resource %s, usage %s/%s." (per group). */
export class QuotaExceededServerGroupServersNum extends GwlbError {
  constructor(groupId: string, usage: number, quota: number) {
    super(
      400,
      'QuotaExceeded.ServerGroupServersNum',
      `The quota of gwlb_quota_servergroup_servers_num is exceeded for resource ${groupId}, usage ${usage}/${quota}.`,
    );
  }
}

/** "The quota of %s is exceeded for resource %s, usage %s/%s." (per group and zone). */
export class QuotaExceededServerGroupAzServersNum extends GwlbError {
  constructor(groupId: string, zoneId: string, usage: number, quota: number) {
    super(
      400,
      'QuotaExceeded.ServerGroupAzServersNum',
      `The quota of gwlb_quota_servergroup_az_servers_num is exceeded for resource ${groupId}/${zoneId}, usage ${usage}/${quota}.`,
    );
  }
}

/** "The status of %s [%s] is incorrect.": the group is Creating or Configuring. */
export class IncorrectStatusServerGroup extends GwlbError {
  constructor(groupId: string, status: string) {
    super(400, 'IncorrectStatus.ServerGroup', `The status of ServerGroup [${groupId}] is incorrect: ${status}.`);
  }
}

class ResourceNotFound extends GwlbError {
  constructor(kind: string, resourceId: string) {
    super(404, `ResourceNotFound.${kind}`, `The specified resource of ${kind}(${resourceId}) is not found.`);
  }
}

export class ResourceNotFoundEni extends ResourceNotFound {
  constructor(eniId: string) {
    super('Eni', eniId);
  }
}

export class ResourceNotFoundEci extends ResourceNotFound {
  constructor(eciId: string) {
    super('Eci', eciId);
  }
}

export class ResourceNotFoundEcs extends ResourceNotFound {
  constructor(instanceId: string) {
    super('Ecs', instanceId);
  }
}

export class ResourceNotFoundServerGroup extends ResourceNotFound {
  constructor(groupId: string) {
    super('ServerGroup', groupId);
  }
}

// ---- Remove (NLB analogue, §3.2) and sibling-LB codes (§3.3)

/** Removing a server that is not (or no longer) in the group. */
export class ResourceNotFoundBackendServer extends ResourceNotFound {
  constructor(server: string) {
    super('BackendServer', server);
  }
}

export class DryRunOperation extends GwlbError {
  constructor() {
    super(400, 'DryRunOperation', 'Request validation has been passed with DryRun flag set.');
  }
}

export class IdempotenceSignatureMismatch extends GwlbError {
  constructor() {
    super(
      400,
      'IdempotenceSignatureMismatch',
      'The idempotence token of request is same with the prev one, but the signature is different.',
    );
  }
}

export class SystemBusy extends GwlbError {
  constructor() {
    super(400, 'SystemBusy', 'System is busy, please try again later.');
  }
}

// ---- gateway (common) codes (§3.4)

/** Missing{ParameterName}: "{ParameterName} is mandatory for this action." */
export class MissingParameter extends GwlbError {
  constructor(name: string) {
    super(400, `Missing${name}`, `${name} is mandatory for this action.`);
  }
}

/** "Specified parameter {ParameterName} is not valid." */
export class InvalidParameter extends GwlbError {
  constructor(name: string, why?: string) {
    super(400, 'InvalidParameter', `Specified parameter ${name} is not valid.${why ? ` ${why}` : ''}`);
  }
}

export class InvalidParameterFormat extends GwlbError {
  constructor(why: string) {
    super(400, 'InvalidParameter.Format', `Specified parameter format is not valid. ${why}`);
  }
}

export class InvalidAccessKeyIdNotFound extends GwlbError {
  constructor() {
    super(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  }
}

export class InvalidAccessKeyIdInactive extends GwlbError {
  constructor() {
    super(400, 'InvalidAccessKeyId.Inactive', 'Specified access key is disabled.');
  }
}

export class InvalidSecurityTokenMismatch extends GwlbError {
  constructor() {
    super(
      400,
      'InvalidSecurityToken.MismatchWithAccessKey',
      'The security token you provided does not match the access key.',
    );
  }
}

export class InvalidSecurityTokenExpired extends GwlbError {
  constructor() {
    super(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.');
  }
}

export class InvalidTimeStampFormat extends GwlbError {
  constructor() {
    super(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
  }
}

export class InvalidTimeStampExpired extends GwlbError {
  constructor() {
    super(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  }
}

export class SignatureNonceUsed extends GwlbError {
  constructor() {
    super(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
}

export class SignatureDoesNotMatch extends GwlbError {
  constructor(why?: string) {
    super(
      400,
      'SignatureDoesNotMatch',
      `Specified signature is not matched with our calculation.${why ? ` ${why}` : ''}`,
    );
  }
}

export class InvalidSignatureMethod extends GwlbError {
  constructor() {
    super(400, 'InvalidSignatureMethod', 'Specified signature method is not valid.');
  }
}

export class UnsupportedHTTPMethod extends GwlbError {
  constructor(method: string) {
    super(400, 'UnsupportedHTTPMethod', `The HTTP method ${method} is not supported for this action.`);
  }
}

export class ThrottlingUser extends GwlbError {
  constructor() {
    super(400, 'Throttling.User', 'Request was denied due to user flow control.');
  }
}

export class InvalidApiNotFound extends GwlbError {
  constructor() {
    super(404, 'InvalidApi.NotFound', 'Specified api is not found, please check your url and method.');
  }
}

export class RequestEntityTooLarge extends GwlbError {
  constructor(limit: number) {
    super(413, 'RequestEntityTooLarge', `The request body exceeds ${limit} bytes.`);
  }
}

export class InternalError extends GwlbError {
  constructor() {
    super(500, 'InternalError', 'The request processing has failed due to some unknown error, exception or failure.');
  }
}

export class ServiceUnavailable extends GwlbError {
  constructor() {
    super(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
  }
}
