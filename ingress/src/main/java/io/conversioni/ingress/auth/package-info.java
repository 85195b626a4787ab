/**
 * Bearer-token authentication for ingest and query requests: verifies HS256/RS256/ES256 JWTs with nimbus-jose-jwt
 * (shared secret, PEM public key, JWKS file or a refreshed JWKS URL) behind a bounded cache of verified tokens,
 * reads the scopes a token grants, and issues HS256 development tokens.
 */
package io.conversioni.ingress.auth;
