import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Public } from './auth.js';
import { ApiProblemPage } from './openapi.js';
import { ProblemException } from './problem.js';
import { PROBLEM_TYPES, problemPage } from './problem-types.js';

function pageOf(slug: string): string {
  const info = PROBLEM_TYPES.get(slug);
  if (!info) throw ProblemException.of(404, 'not-found', 'Not found', 'no such problem type');
  return problemPage(info);
}

/** Each problem `type` URI (`/problems/<slug>`, `/problems/rule/<rule>`) resolves to a short page saying what it means. */
@ApiTags('problems')
@Controller('problems')
export class ProblemsController {
  @Get(':slug')
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiOperation({ summary: 'What a problem type means (the `type` of a problem+json answer)' })
  @ApiParam({ name: 'slug', schema: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' }, example: 'stale-version' })
  @ApiProblemPage()
  problem(@Param('slug') slug: string): string {
    return pageOf(slug);
  }

  @Get('rule/:rule')
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiOperation({ summary: 'What a broken rule means (the `type` of a 409 answer with `rule`)' })
  @ApiParam({ name: 'rule', schema: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' }, example: 'date-in-future' })
  @ApiProblemPage()
  rule(@Param('rule') rule: string): string {
    return pageOf(`rule/${rule}`);
  }
}
