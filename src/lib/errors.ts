/**
 * Typed errors with a stable code and HTTP status. The message is bokmål and safe to show
 * to the user; the one error handler renders it.
 */
export class AppError extends Error {
  constructor(
    public readonly code: string,
    public readonly status: number,
    message: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Siden finnes ikke.') {
    super('not_found', 404, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Du har ikke tilgang til denne siden.') {
    super('forbidden', 403, message);
  }
}

export class ValidationError extends AppError {
  constructor(
    message: string,
    public readonly fieldErrors: Record<string, string> = {},
  ) {
    super('validation', 400, message, { fieldErrors });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message = 'Tjenesten er midlertidig utilgjengelig. Prøv igjen om litt.') {
    super('unavailable', 503, message);
  }
}
