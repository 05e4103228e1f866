import { SignJWT } from 'jose';

/**
 * The JWT the load of the full-chain Wirekit server carries: HS256 with `secret`, subject `load-generator`,
 * audience `bench` (what bench/servers/wirekit-chain.mjs's auth expects), valid for two hours.
 */
export function benchJwt(secret) {
  return new SignJWT({ scope: 'bench' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('load-generator')
    .setAudience('bench')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
}
