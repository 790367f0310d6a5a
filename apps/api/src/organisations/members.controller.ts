import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Directory, type Member } from '#directory/directory.js';
import { CurrentActor, Roles, type Actor } from '../http/auth.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { ApiMemberList, ApiMemberPut, ApiMemberRemoval, MEMBER_SUB, ORGANISATION_ID } from '../http/openapi.js';
import { memberNotFound, organisationNotFound, requireSub } from './organisation-access.js';
import { MemberSearchQuery, PutMemberDto } from './organisation.dto.js';

/** Who may read or change these members is decided before any handler, for every route here: member-routes.ts. */
@ApiTags('organisations')
@ApiBearerAuth()
@Controller('v1/organisations/:organisationId/members')
export class MembersController {
  constructor(private readonly directory: Directory) {}

  @Put(':sub')
  @Roles('admin', 'org-admin')
  @ORGANISATION_ID
  @MEMBER_SUB
  @ApiMemberPut()
  @ApiOperation({ summary: 'Add a member (201) or change their name and roles (200); a sub belongs to one organisation' })
  async put(
    @Param('organisationId') organisationId: string,
    @Param('sub') sub: string,
    @Body() body: PutMemberDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Member> {
    requireSub(sub);
    await this.requireOrganisation(organisationId);
    const change = await this.directory.putMember(organisationId, sub, body, actor);
    if (change === null) throw organisationNotFound(organisationId);
    void reply.status(change === 'added' ? 201 : 200);
    return (await this.directory.member(organisationId, sub))!;
  }

  @Delete(':sub')
  @HttpCode(204)
  @Roles('admin', 'org-admin')
  @ORGANISATION_ID
  @MEMBER_SUB
  @ApiMemberRemoval()
  @ApiOperation({ summary: 'Remove a member (a coach who still has workers stays: 409 coach-has-caseload)' })
  async remove(@Param('organisationId') organisationId: string, @Param('sub') sub: string, @CurrentActor() actor: Actor): Promise<void> {
    requireSub(sub);
    await this.requireOrganisation(organisationId);
    if (!(await this.directory.removeMember(organisationId, sub, actor))) throw memberNotFound(sub);
  }

  @Get()
  @Roles('admin', 'screener', 'org-admin', 'coach')
  @ORGANISATION_ID
  @ApiMemberList()
  @ApiOperation({ summary: "An organisation's members, by role and words of the display name or sub; keyset pages with total" })
  async list(
    @Param('organisationId') organisationId: string,
    @Query() query: MemberSearchQuery,
  ): Promise<{ items: Member[]; total: number; next: string | null }> {
    await this.requireOrganisation(organisationId);
    const after = query.cursor ? (decodeCursor(query.cursor, ['string', 'string']) as string[]) : undefined;
    const page = await this.directory.members(organisationId, { role: query.role, q: query.q, limit: query.limit ?? 50, after });
    return { items: page.items, total: page.total, next: page.next ? encodeCursor(page.next) : null };
  }

  private async requireOrganisation(organisationId: string): Promise<void> {
    if (!(await this.directory.organisation(organisationId))) throw organisationNotFound(organisationId);
  }
}
