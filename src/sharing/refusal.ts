/**
 * Thrown inside a Records.update() change to leave the record untouched and say why; sharing
 * knows no HTTP, the routes turn the reason into an answer.
 */
export class Refusal extends Error {
  constructor(readonly reason: string, readonly retryAfterSeconds?: number) {
    super(reason);
    this.name = 'Refusal';
  }
}

export const isRefusal = (error: unknown): error is Refusal => error instanceof Refusal;
