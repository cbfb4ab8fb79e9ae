import { createAccessPolicy, type AccessPolicy, type AuthConfig } from '@ssehub/service-kit';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/** The access policy of these settings, verifying tokens with jose; standalone shares it with its ingest. */
export function createJoseAccessPolicy(config: AuthConfig): AccessPolicy {
  return createAccessPolicy({ config, jose: { jwtVerify, createRemoteJWKSet } });
}
