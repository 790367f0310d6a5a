/** The fixed vocabularies of domain.md §2, as the public API spells them. */

export const PROGRAMMES = ['SW', 'BW', 'MAATWERK', 'INVOEG_DC', 'INVOEG_NDC', 'LDE', 'ARBEIDSZORG'] as const;
export type Programme = (typeof PROGRAMMES)[number];

/** Programmes of supported employment in the social economy (reached through advice `supported-employment`). */
export const SUPPORTED_EMPLOYMENT_PROGRAMMES = ['SW', 'BW', 'MAATWERK', 'INVOEG_DC', 'INVOEG_NDC', 'LDE'] as const satisfies readonly Programme[];
/** Programmes reached through advice `work-care`. */
export const WORK_CARE_PROGRAMMES = ['ARBEIDSZORG'] as const satisfies readonly Programme[];

export const ADVICES = ['regular-work', 'supported-employment', 'activation-guidance', 'work-care', 'not-referable'] as const;
export type Advice = (typeof ADVICES)[number];

export const EXIT_REASONS = ['doorstroom-regular-work', 'training', 'dismissal', 'resignation', 'retirement', 'health', 'death', 'other'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export const EDUCATION_LEVELS = ['low', 'medium', 'high'] as const;
export type EducationLevel = (typeof EDUCATION_LEVELS)[number];

/** What the six-month check found on the reference date. */
export const FOLLOW_UP_OUTCOMES = ['employed', 'ibo', 'not-employed'] as const;
export type FollowUpOutcome = (typeof FOLLOW_UP_OUTCOMES)[number];

/** Where a follow-up result came from: the employment register (Dimona/IBO) or a coach's manual entry. */
export const FOLLOW_UP_SOURCES = ['register', 'manual'] as const;
export type FollowUpSource = (typeof FOLLOW_UP_SOURCES)[number];

export const GUIDANCE_LEVELS = ['low', 'medium', 'high'] as const;
export type GuidanceLevel = (typeof GUIDANCE_LEVELS)[number];

/** What a note records: a contact, a meeting, a phone call, or anything else worth writing down. */
export const NOTE_KINDS = ['contact', 'meeting', 'phone', 'note'] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];

/** A calendar date `YYYY-MM-DD` (no time, no zone). */
export type CalendarDate = string;
