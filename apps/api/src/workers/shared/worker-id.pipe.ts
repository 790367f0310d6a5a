import { Injectable, type PipeTransform } from '@nestjs/common';
import { ProblemException } from '../../http/problem.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A worker id is a UUID; anything else names no worker (404). */
@Injectable()
export class WorkerIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) throw ProblemException.of(404, 'worker-not-found', 'Unknown worker', `no worker with id ${JSON.stringify(value.slice(0, 64))}`);
    return value.toLowerCase();
  }
}
