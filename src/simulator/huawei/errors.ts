// ELB v3 and API gateway errors as classes named after the provider's codes, with the HTTP status and message
// the documents give (huawei-elb.md §3). The front renders them as {error_msg, error_code, request_id}.

export class ElbError extends Error {
  override name = 'ElbError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** ELB.8902 (400): validation failed, including unrecognized attributes. */
export class Elb8902 extends ElbError {
  constructor(message: string) {
    super(400, 'ELB.8902', message);
  }

  static invalid(field: string, why: string): Elb8902 {
    return new Elb8902(`Invalid input for '${field}': ${why}`);
  }

  static unrecognized(names: string[]): Elb8902 {
    return new Elb8902(`Unrecognized attribute(s) '${names.join(', ')}'`);
  }
}

/** ELB.8904 (404): "%s %s could not be found." */
export class Elb8904 extends ElbError {
  constructor(kind: string, id: string) {
    super(404, 'ELB.8904', `${kind} ${id} could not be found.`);
  }
}

/** ELB.8905 (409): "Quota exceeded for resources: %s" */
export class Elb8905 extends ElbError {
  constructor(resource: string) {
    super(409, 'ELB.8905', `Quota exceeded for resources: ${resource}`);
  }
}

/** ELB.8906 (500): internal server error. */
export class Elb8906 extends ElbError {
  constructor() {
    super(500, 'ELB.8906', 'Internal server error.');
  }
}

/** ELB.8907 (409): data conflict (an address in use, a protected pool). */
export class Elb8907 extends ElbError {
  constructor(detail: string) {
    super(409, 'ELB.8907', `Data conflict. ${detail}`);
  }
}

/** ELB.8933 (400): an IPv6 backend on an IPv4 subnet. */
export class Elb8933 extends ElbError {
  constructor() {
    super(400, 'ELB.8933', 'IPv6 subnets are not supported, but backend servers use IPv6 addresses.');
  }
}

/** ELB.8938 (400): IP-type members need a UDP/TCP/TLS/HTTP/HTTPS/QUIC/GRPC pool. */
export class Elb8938 extends ElbError {
  constructor() {
    super(
      400,
      'ELB.8938',
      'The IP member is supported only when the pool protocol is UDP/TCP/TLS/HTTP/HTTPS/QUIC/GRPC.',
    );
  }
}

/** ELB.8939 (400): IP-type members need ip_target_enable on the load balancer. */
export class Elb8939 extends ElbError {
  constructor() {
    super(400, 'ELB.8939', "The load balancer's ip_target_enable must be true when adding IP members.");
  }
}

/** APIGW.0101 (404): no such API (host, path or method). */
export class Apigw0101 extends ElbError {
  constructor() {
    super(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment.');
  }
}

/** APIGW.0201: a malformed request; 413 when the body is over 12 MB. */
export class Apigw0201 extends ElbError {
  constructor(status: 400 | 413, message: string) {
    super(status, 'APIGW.0201', message);
  }
}

/** APIGW.0301 (401): bad signature, unknown AK, bad token, stale X-Sdk-Date, locked AK. */
export class Apigw0301 extends ElbError {
  constructor(detail: string) {
    super(401, 'APIGW.0301', `Incorrect IAM authentication information: ${detail}`);
  }
}

/** APIGW.0302 (403): the credential may not use this project. */
export class Apigw0302 extends ElbError {
  constructor() {
    super(403, 'APIGW.0302', 'The IAM user is not authorized to access the API.');
  }
}

/** APIGW.0307 (401): the token has expired. */
export class Apigw0307 extends ElbError {
  constructor() {
    super(401, 'APIGW.0307', 'The token must be updated.');
  }
}

/** APIGW.0308 (429): flow control. */
export class Apigw0308 extends ElbError {
  /** `limit` calls per `perSeconds` (the gateway words it `time:1 second`, `time:1 minute`, `time:5 minute`). */
  constructor(limit: number, perSeconds = 1) {
    const time = perSeconds % 60 === 0 ? `${perSeconds / 60} minute` : `${perSeconds} second`;
    super(
      429,
      'APIGW.0308',
      `The throttling threshold has been reached: policy user over ratelimit,limit:${limit},time:${time}`,
    );
  }
}

/** APIGW.0310 (403): the project in the path is not one of the world's. */
export class Apigw0310 extends ElbError {
  constructor() {
    super(403, 'APIGW.0310', 'The project is unavailable.');
  }
}
