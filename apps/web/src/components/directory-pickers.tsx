import { useState } from 'preact/hooks';
import { get, query, type FieldError } from '../api.js';
import { label, useT, type Translate } from '../i18n.js';
import type { Member, Organisation, OrganisationRef, Page } from '../types.js';
import { Combobox, type Choice, type Found } from './combobox.js';

/** Entries a pick-list shows at once; typing more words narrows the search. */
const SHOWN = 20;

/** An organisation as people recognise it: its name, enterprise number, seat, and the programmes it is recognised for. */
function organisationChoice(t: Translate, organisation: Organisation): Choice<Organisation> {
  const seat = `${organisation.postalCode} ${label(t, 'province', organisation.province)}`;
  return {
    value: organisation.organisationId,
    label: organisation.name,
    detail: `${organisation.enterpriseNumber} · ${seat} · ${organisation.programmes.join(', ')}`,
    text: `${organisation.name} (${organisation.enterpriseNumber}, ${seat})`,
    item: organisation,
  };
}

/** Organisations whose name has words beginning with the typed ones, or whose enterprise number was typed. */
async function findOrganisations(t: Translate, q: string, programme?: string): Promise<Found<Organisation>> {
  const page = await get<Page<Organisation>>(`/v1/organisations${query({ q, programme, limit: SHOWN })}`);
  return { choices: page.items.map((organisation) => organisationChoice(t, organisation)), total: page.total ?? page.items.length };
}

/** The coaches of one organisation whose display name or user id has words beginning with the typed ones. */
async function findCoaches(organisation: OrganisationRef, q: string): Promise<Found<Member>> {
  const page = await get<Page<Member>>(
    `/v1/organisations/${encodeURIComponent(organisation.organisationId)}/members${query({ role: 'coach', q, limit: SHOWN })}`,
  );
  return {
    choices: page.items.map((member) => {
      const who = member.displayName === member.sub ? member.sub : `${member.displayName} (${member.sub})`;
      return { value: member.sub, label: who, detail: organisation.name, text: `${who}, ${organisation.name}`, item: member };
    }),
    total: page.total ?? page.items.length,
  };
}

interface PickerProps {
  name: string;
  label: string;
  errors?: FieldError[];
  required?: boolean;
}

/**
 * The employer of a placement or a return: an organisation of the directory, recognised for
 * `programme` when it is known (others are not offered, and a chosen one that is not recognised
 * for a newly chosen programme is dropped). Sends the organisationId.
 */
export function EmployerPicker({ programme, ...field }: PickerProps & { programme?: string }) {
  const t = useT();
  return (
    <Combobox<Organisation>
      {...field}
      hint={programme ? t('picker.employerHintProgramme', { programme }) : t('picker.organisationHint')}
      search={(q) => findOrganisations(t, q, programme)}
      scope={programme}
      accepts={(choice) => !programme || (choice.item?.programmes ?? []).some((p) => p === programme)}
    />
  );
}

/**
 * The coach to name: a member of an organisation with role coach. A screener or an admin, who
 * belong to no one organisation, first chooses the organisation (the worker's, to begin with), then
 * one of its coaches; a coach or an org-admin chooses among the coaches of `organisation`, the
 * worker's, which is their own. Sends the coach's user id (sub).
 */
export function CoachPicker({
  organisation,
  anyOrganisation,
  ...field
}: PickerProps & { organisation: OrganisationRef | null | undefined; anyOrganisation: boolean }) {
  const t = useT();
  const initial = organisation ? { value: organisation.organisationId, label: organisation.name, text: organisation.name } : null;
  const [chosen, setChosen] = useState<OrganisationRef | null>(organisation ?? null);
  const from = anyOrganisation ? chosen : (organisation ?? null);
  return (
    <>
      {anyOrganisation && (
        <Combobox<Organisation>
          name={`${field.name}Organisation`}
          send={false}
          label={t('field.coachOrganisation')}
          hint={t('picker.organisationHint')}
          search={(q) => findOrganisations(t, q)}
          initial={initial}
          onChoose={(choice) => setChosen(choice ? { organisationId: choice.value, name: choice.label } : null)}
        />
      )}
      <Combobox<Member>
        key={from?.organisationId ?? ''}
        {...field}
        disabled={!from}
        hint={from ? t('picker.coachHint', { organisation: from.name }) : t(anyOrganisation ? 'picker.organisationFirst' : 'picker.noOrganisation')}
        search={(q) => findCoaches(from!, q)}
      />
    </>
  );
}
