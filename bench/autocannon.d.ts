/** The small part of autocannon 8's API the bench uses (the package ships no type definitions). */
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      setupRequest?: (req: Request, context: Record<string, unknown>) => Request | null | undefined;
      onResponse?: (
        status: number,
        body: string,
        context: Record<string, unknown>,
        headers: Record<string, unknown>,
      ) => void;
    }
    interface Client {
      setRequests(requests: Request[]): void;
      on(event: 'response', listener: (status: number, bytes: number, durationMs: number) => void): this;
      on(event: string, listener: (...args: unknown[]) => void): this;
    }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      timeout?: number;
      maxConnectionRequests?: number;
      /** Requests per second over all connections (open loop). */
      overallRate?: number;
      setupClient?: (client: Client) => void;
      requests?: Request[];
    }
    interface Result {
      errors: number;
      timeouts: number;
      non2xx: number;
      mismatches: number;
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result> & { stop(): void };
  export default autocannon;
}
