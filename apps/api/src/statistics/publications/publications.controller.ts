import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Clock } from '#platform/clock.js';
import { CLOCK } from '#platform/tokens.js';
import { ProjectionProgress } from '#projections/projection-runner.js';
import { Publications } from '#read-models/statistics-publishing/publications.js';
import { CurrentActor, Roles, type Actor } from '../../http/auth.js';
import { ApiListQuery, ApiPublication, ApiPublish } from '../../http/openapi.js';
import { invalidInput, ProblemException } from '../../http/problem.js';
import { awaitReadModels } from '../../http/read-models.js';
import { tableSpecOf } from '../statistics-query.dto.js';
import { PUBLISH_TABLE_BODY, PublicationListQuery, PublishTableDto } from './publication.dto.js';

/** Frozen statistics tables, and what has changed in them since. */
@ApiTags('statistics')
@ApiBearerAuth()
@Controller('v1/statistics/publications')
@Roles('analyst')
export class PublicationsController {
  constructor(
    private readonly publications: Publications,
    private readonly progress: ProjectionProgress,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiExtraModels(PublishTableDto)
  @ApiBody({ schema: PUBLISH_TABLE_BODY })
  @ApiPublish()
  @ApiOperation({ summary: 'Freeze a statistics table as the projections stand now: 201 { publicationId, position, publishedAt }' })
  async publish(@Body() body: PublishTableDto, @CurrentActor() actor: Actor) {
    if (body.table === 'flows' && body.method !== undefined)
      throw invalidInput([{ field: 'method', code: 'not-allowed', message: 'method applies to the outflow table only' }]);
    const spec = tableSpecOf(body.table, body);
    await awaitReadModels(this.progress, { refuseWhileRebuilding: true });
    return this.publications.publish(spec, actor.sub, this.clock.now());
  }

  @Get()
  @ApiListQuery('PublicationList')
  @ApiOperation({ summary: 'The publications, oldest first: { items, next }' })
  async list(@Query() query: PublicationListQuery) {
    const page = await this.publications.list(query.limit ?? 100, query.after);
    if (!page) throw invalidInput([{ field: 'after', code: 'bad-cursor', message: 'after must be the publicationId of an item of the previous page' }]);
    return page;
  }

  @Get(':id')
  @ApiPublication()
  @ApiOperation({ summary: 'A frozen table and its changes: [{ programme, field, published, current }] against today’s figures' })
  async get(@Param('id') id: string) {
    const publication = id.length <= 64 ? await this.publications.get(id) : null;
    if (!publication) throw ProblemException.of(404, 'publication-not-found', 'Publication not found', `no publication ${id.slice(0, 64)}`);
    return publication;
  }
}
