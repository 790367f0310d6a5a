import { Injectable } from '@nestjs/common';

export type HealthCheck = () => Promise<void | Record<string, unknown>>;

/** Components add what `/health` reports (projection lag, queues) without the health endpoint knowing them. */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  entries(): [string, HealthCheck][] {
    return [...this.checks.entries()];
  }
}
