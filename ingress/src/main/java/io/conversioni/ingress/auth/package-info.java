/**
 * Bearer-token authentication for ingest and query requests: verifies HS256/RS256/ES256 JWTs (shared secret,
 * PEM public key or JWKS file) with a bounded cache of verified tokens, and issues HS256 development tokens.
 */
package io.conversioni.ingress.auth;
