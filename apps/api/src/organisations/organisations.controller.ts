import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Directory, type Organisation } from '#directory/directory.js';
import { CurrentActor, Roles, type Actor } from '../http/auth.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { ApiOrganisation, ApiOrganisationList, ApiOrganisationRegistration, ORGANISATION_ID } from '../http/openapi.js';
import { organisationNotFound } from './organisation-access.js';
import { ChangeOrganisationDto, OrganisationSearchQuery, RegisterOrganisationDto } from './organisation.dto.js';

@ApiTags('organisations')
@ApiBearerAuth()
@Controller('v1/organisations')
export class OrganisationsController {
  constructor(private readonly directory: Directory) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiOrganisationRegistration()
  @ApiOperation({ summary: 'Register an organisation (enterprise number already registered: 409 with its organisationId)' })
  async register(
    @Body() body: RegisterOrganisationDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ organisationId: string }> {
    const { organisationId } = await this.directory.register(body, actor);
    void reply.header('location', `/v1/organisations/${organisationId}`);
    return { organisationId };
  }

  @Get()
  @Roles('screener', 'coach', 'analyst', 'admin', 'org-admin')
  @ApiOrganisationList()
  @ApiOperation({ summary: 'Search organisations by words of the name or the enterprise number, kind, province and programme; keyset pages with total' })
  async search(@Query() query: OrganisationSearchQuery): Promise<{ items: Organisation[]; total: number; next: string | null }> {
    const after = query.cursor ? (decodeCursor(query.cursor, ['string', 'string']) as string[]) : undefined;
    const page = await this.directory.search({
      q: query.q,
      kind: query.kind,
      province: query.province,
      programme: query.programme,
      limit: query.limit ?? 50,
      after,
    });
    return { items: page.items, total: page.total, next: page.next ? encodeCursor(page.next) : null };
  }

  @Get(':organisationId')
  @Roles('screener', 'coach', 'analyst', 'admin', 'org-admin')
  @ORGANISATION_ID
  @ApiOrganisation()
  @ApiOperation({ summary: 'One organisation' })
  async get(@Param('organisationId') organisationId: string): Promise<Organisation> {
    const organisation = await this.directory.organisation(organisationId);
    if (!organisation) throw organisationNotFound(organisationId);
    return organisation;
  }

  @Patch(':organisationId')
  @Roles('admin')
  @ORGANISATION_ID
  @ApiOrganisation()
  @ApiOperation({ summary: 'Change the name, postal code (and so the province) or programmes of an organisation' })
  async change(@Param('organisationId') organisationId: string, @Body() body: ChangeOrganisationDto, @CurrentActor() actor: Actor): Promise<Organisation> {
    const organisation = await this.directory.change(organisationId, body, actor);
    if (!organisation) throw organisationNotFound(organisationId);
    return organisation;
  }
}
