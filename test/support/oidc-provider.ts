import { createSign, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Adapter, Configuration, Provider } from 'oidc-provider';

// The provider's own in-memory storage, which is all a test needs; as a subclass, so the
// provider does not warn (at each start) that it falls back to it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MemoryAdapter = require('oidc-provider/lib/adapters/memory_adapter') as new (name: string) => Adapter;
class TestAdapter extends MemoryAdapter {}

/** Claims of a person at the provider; `sub` is their id there. */
export interface ProviderAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  name?: string;
}

/**
 * How to forge the next ID token the token endpoint hands out: its claims changed, and signed
 * again with the provider's own key, or with a key the provider never published.
 */
export interface IdTokenForgery {
  claims?: (claims: Record<string, unknown>) => Record<string, unknown>;
  signWith?: 'provider' | 'foreign';
}

/**
 * A real OpenID Connect provider for tests: oidc-provider 7 (certified OpenID Connect
 * implementation) on 127.0.0.1, with an RS256 key made for the run, one confidential client
 * (client_secret_basic, PKCE S256 required) and accounts the test adds. Its login page is
 * replaced by an interaction that finishes at once for `nextAccount` (the person "signs in"),
 * or, with `refuseNext`, ends with error=access_denied (they cancel).
 */
export class TestOidcProvider {
  readonly clientId = 'dhr-engine-test';
  readonly clientSecret = randomBytes(24).toString('base64url');
  readonly accounts = new Map<string, ProviderAccount>();
  nextAccount: string | null = null;
  refuseNext = false;
  /** Set, the next token response carries an ID token forged so (see IdTokenForgery). */
  forgeNext: IdTokenForgery | null = null;
  private readonly foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  private signingKey!: KeyObject;
  private provider!: Provider;
  private server!: Server;
  issuer = '';

  private constructor(readonly redirectUris: string[]) {}

  static async start(redirectUris: string[]): Promise<TestOidcProvider> {
    const p = new TestOidcProvider(redirectUris);
    await p.listen();
    return p;
  }

  addAccount(account: ProviderAccount): ProviderAccount {
    this.accounts.set(account.sub, account);
    return account;
  }

  private async listen(): Promise<void> {
    this.server = createServer();
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.signingKey = privateKey;
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };
    const configuration: Configuration = {
      clients: [
        {
          client_id: this.clientId,
          client_secret: this.clientSecret,
          redirect_uris: this.redirectUris,
          response_types: ['code'],
          grant_types: ['authorization_code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: [jwk as never] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
      // The ID token carries the scope's claims (as Entra ID's and most providers' do).
      conformIdTokenClaims: false,
      pkce: { methods: ['S256'], required: () => true },
      features: { devInteractions: { enabled: false } },
      adapter: TestAdapter,
      ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, sub) => {
        const account = this.accounts.get(sub);
        if (!account) return undefined;
        return { accountId: sub, claims: () => ({ ...account }) };
      },
    };
    this.provider = new Provider(this.issuer, configuration);
    this.provider.on('server_error', (_ctx: unknown, error: unknown) => {
      // eslint-disable-next-line no-console
      console.error('test OIDC provider error', error);
    });
    const handle = this.provider.callback();
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.startsWith('/interaction/')) {
        this.interact(req, res).catch((error: unknown) => {
          res.statusCode = 500;
          res.end(String(error));
        });
        return;
      }
      if (this.forgeNext && req.method === 'POST' && req.url?.split('?')[0] === '/token') {
        const forgery = this.forgeNext;
        this.forgeNext = null;
        this.forgeTokenResponse(res, forgery);
      }
      void handle(req, res);
    });
  }

  /** Rewrites the ID token of the token response `res` is about to send. */
  private forgeTokenResponse(res: ServerResponse, forgery: IdTokenForgery): void {
    const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
    res.end = ((chunk?: unknown) => {
      if (res.statusCode !== 200 || chunk === undefined) return end(chunk);
      const body = JSON.parse(String(chunk)) as { id_token: string };
      const [header, payload] = body.id_token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      const forgedPayload = Buffer.from(JSON.stringify(forgery.claims ? forgery.claims(claims) : claims)).toString('base64url');
      const signed = `${header}.${forgedPayload}`;
      const key = forgery.signWith === 'foreign' ? this.foreignKey : this.signingKey;
      body.id_token = `${signed}.${createSign('RSA-SHA256').update(signed).sign(key, 'base64url')}`;
      const text = JSON.stringify(body);
      res.setHeader('content-length', Buffer.byteLength(text));
      return end(text);
    }) as typeof res.end;
  }

  /** The "login page": signs `nextAccount` in and consents to what was asked, or refuses. */
  private async interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await this.provider.interactionDetails(req, res);
    if (this.refuseNext || !this.nextAccount) {
      this.refuseNext = false;
      await this.provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The person cancelled the sign-in' }, { mergeWithLastSubmission: false });
      return;
    }
    const accountId = this.nextAccount;
    const clientId = String(details.params.client_id);
    const grant = new this.provider.Grant({ accountId, clientId });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await this.provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  /**
   * A browser at the provider: GETs `url` and follows the provider's own redirects (keeping its
   * cookies) until it is sent to a URL outside the provider, which it returns (the callback).
   */
  async follow(url: string): Promise<string> {
    const jar = new Map<string, string>();
    let next = url;
    for (let hop = 0; hop < 10; hop++) {
      if (!next.startsWith(this.issuer)) return next;
      const res = await fetch(next, {
        redirect: 'manual',
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const header of res.headers.getSetCookie()) {
        const [pair] = header.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      const location = res.headers.get('location');
      if (!location) throw new Error(`the provider answered ${res.status} without a redirect: ${await res.text()}`);
      next = new URL(location, next).toString();
    }
    throw new Error('too many redirects at the provider');
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
