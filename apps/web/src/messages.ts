/** The app's languages (i18n.ts); spelled out here so that this file imports nothing (the service's tests read it). */
type Lang = 'nl' | 'en';

/**
 * What a refusal means, for the person at the screen: every rule a 409 can name and every code a
 * 400 field error can carry, in Dutch and English, written for coaches, screeners and admins (the
 * service's own `detail` and `message` are for engineers and never shown). A test walks the
 * service's catalogues (tests/web/messages.unit.spec.ts): a rule or code without both texts fails it.
 */
export const RULE_TEXTS: Record<Lang, Record<string, string>> = {
  nl: {
    'worker-already-registered': 'Deze persoon is al geregistreerd (hetzelfde INSZ).',
    'worker-not-registered': 'Deze werknemer is niet geregistreerd.',
    'worker-deceased': 'Deze werknemer is overleden: er kunnen geen nieuwe stappen meer bij.',
    'date-before-previous-step': 'De datum ligt vóór de vorige stap. Kies een datum op of na de laatste stap.',
    'date-in-future': 'De datum ligt in de toekomst. Registreer alleen wat al gebeurd is.',
    'programme-required': 'Bij dit advies hoort een programma. Kies het programma.',
    'programme-not-allowed': 'Bij dit advies hoort geen programma. Laat het programma leeg.',
    'programme-does-not-match-advice':
      'Dit programma past niet bij het advies: ondersteunde tewerkstelling leidt naar SW, BW, maatwerk, invoeg of LDE, arbeidszorg naar arbeidszorg.',
    'indication-requires-supported-employment': 'Een indicatie (ondersteuningspakket) hoort alleen bij het advies ondersteunde tewerkstelling.',
    'indication-validity':
      'De geldigheid van de indicatie klopt niet: een voorwaardelijke indicatie heeft een einddatum, tussen de screening en vijf jaar later.',
    'wage-premium-out-of-range': 'De loonpremie is 45 tot 60 % in maatwerk, en 0 tot 100 % in de andere programma’s.',
    'productivity-loss-out-of-range': 'Het rendementsverlies is een percentage van 0 tot 100.',
    'pop-goals-required': 'Een POP heeft minstens één doel.',
    'placement-already-active': 'Deze werknemer heeft al een lopende plaatsing. Registreer eerst de uitstroom.',
    'placement-needs-advice': 'Voor deze plaatsing is een screening nodig met een advies dat naar dit programma leidt.',
    'indication-expired': 'De indicatie liep af vóór de startdatum. Er is een nieuwe screening nodig.',
    'placement-id-taken': 'Deze plaatsing bestaat al.',
    'fte-out-of-range': 'De VTE ligt boven 0 en is hoogstens 1.',
    'exit-needs-active-placement': 'Er is geen lopende plaatsing om te beëindigen.',
    'return-needs-guarantee': 'Terugkeer zonder nieuwe screening kan alleen met een lopende terugkeerwaarborg, na doorstroom naar reguliere arbeid.',
    'return-guarantee-expired': 'De terugkeerwaarborg is verlopen. Er is een nieuwe screening nodig.',
    'follow-up-needs-exit': 'Een resultaat van de zesmaandencontrole hoort bij een uitstroom van deze werknemer.',
    'follow-up-not-applicable': 'Na een overlijden is er geen zesmaandencontrole.',
    'follow-up-before-reference-date': 'De zesmaandencontrole kan pas vanaf de referentiedatum.',
    'return-guarantee-still-running': 'De terugkeerwaarborg loopt nog.',
    'return-guarantee-not-found': 'Er is geen terugkeerwaarborg voor deze plaatsing.',
    'follow-up-already-recorded': 'Er is al een resultaat (aan het werk of IBO). Een coach kan alleen een resultaat ‘niet aan het werk’ herzien.',
    'only-latest-step': 'Alleen de laatste stap kan ingetrokken worden.',
    'registration-not-retractable': 'Een registratie kan niet ingetrokken worden. Een beheerder kan de persoonsgegevens wissen.',
    'retraction-needs-step': 'Dit is geen stap die nog ingetrokken kan worden.',
    'not-a-step': 'Een notitie is geen stap en kan niet ingetrokken worden.',
    'concurrent-modification': 'Iemand anders wijzigde deze werknemer op hetzelfde moment. Probeer het opnieuw.',
    'idempotency-key-in-use': 'Deze aanvraag wordt nog verwerkt. Wacht even en probeer het opnieuw.',
    'personal-data-erased': 'De persoonsgegevens van deze werknemer zijn gewist: er kan niets persoonlijks meer bij.',
    'unknown-coach': 'Deze persoon is geen coach van een organisatie in de lijst.',
    'unknown-enterprise': 'Deze onderneming staat niet in de lijst van organisaties.',
    'programme-not-recognised': 'Deze organisatie mag geen werknemers in dit programma tewerkstellen.',
    'organisation-already-registered': 'Een organisatie met dit ondernemingsnummer is al geregistreerd.',
    'member-of-another-organisation': 'Deze gebruiker hoort al bij een andere organisatie.',
    'coach-has-caseload': 'Deze coach heeft nog werknemers. Wijs hen eerst een andere coach toe.',
  },
  en: {
    'worker-already-registered': 'This person is already registered (same INSZ).',
    'worker-not-registered': 'This worker is not registered.',
    'worker-deceased': 'This worker has died: no new steps can be added.',
    'date-before-previous-step': 'The date is before the previous step. Choose a date on or after the last step.',
    'date-in-future': 'The date is in the future. Only record what has already happened.',
    'programme-required': 'This advice needs a programme. Choose the programme.',
    'programme-not-allowed': 'This advice takes no programme. Leave the programme empty.',
    'programme-does-not-match-advice':
      'This programme does not fit the advice: supported employment leads to SW, BW, custom work, INVOEG or LDE, work care to ARBEIDSZORG.',
    'indication-requires-supported-employment': 'An indication (support package) goes only with the advice supported employment.',
    'indication-validity': 'The indication’s validity is wrong: a conditional indication has an end date, between the screening and five years later.',
    'wage-premium-out-of-range': 'The wage premium is 45 to 60 % in custom work, and 0 to 100 % in the other programmes.',
    'productivity-loss-out-of-range': 'The productivity loss is a percentage from 0 to 100.',
    'pop-goals-required': 'A POP has at least one goal.',
    'placement-already-active': 'This worker already has a running placement. Record the exit first.',
    'placement-needs-advice': 'This placement needs a screening whose advice leads to this programme.',
    'indication-expired': 'The indication ended before the start date. A new screening is needed.',
    'placement-id-taken': 'This placement already exists.',
    'fte-out-of-range': 'The FTE is above 0 and at most 1.',
    'exit-needs-active-placement': 'There is no running placement to end.',
    'return-needs-guarantee': 'A return without a new screening needs a running return guarantee, after a move to regular work.',
    'return-guarantee-expired': 'The return guarantee has expired. A new screening is needed.',
    'follow-up-needs-exit': 'A six-month result belongs to an exit of this worker.',
    'follow-up-not-applicable': 'After a death there is no six-month check.',
    'follow-up-before-reference-date': 'The six-month check can only be recorded from its reference date on.',
    'return-guarantee-still-running': 'The return guarantee is still running.',
    'return-guarantee-not-found': 'There is no return guarantee for this placement.',
    'follow-up-already-recorded': 'There already is a result (employed or IBO). A coach can only revise a result ‘not employed’.',
    'only-latest-step': 'Only the latest step can be retracted.',
    'registration-not-retractable': 'A registration cannot be retracted. An admin can erase the personal data.',
    'retraction-needs-step': 'This is not a step that can still be retracted.',
    'not-a-step': 'A note is not a step and cannot be retracted.',
    'concurrent-modification': 'Someone else changed this worker at the same moment. Please try again.',
    'idempotency-key-in-use': 'This request is still being processed. Wait a moment and try again.',
    'personal-data-erased': 'This worker’s personal data were erased: nothing personal can be added.',
    'unknown-coach': 'This person is not a coach of an organisation in the directory.',
    'unknown-enterprise': 'This enterprise is not in the directory of organisations.',
    'programme-not-recognised': 'This organisation may not employ workers in this programme.',
    'organisation-already-registered': 'An organisation with this enterprise number is already registered.',
    'member-of-another-organisation': 'This user already belongs to another organisation.',
    'coach-has-caseload': 'This coach still has workers. Assign them another coach first.',
  },
};

export const FIELD_ERROR_TEXTS: Record<Lang, Record<string, string>> = {
  nl: {
    required: 'Vul dit veld in.',
    'too-long': 'Deze tekst is te lang.',
    'too-short': 'Deze tekst is te kort.',
    'too-many': 'Dit zijn er te veel.',
    'not-a-date': 'Geef een bestaande datum (dd/mm/jjjj).',
    'not-an-instant': 'Geef een bestaand tijdstip.',
    'not-a-number': 'Geef een getal.',
    'not-an-integer': 'Geef een geheel getal.',
    'not-a-string': 'Geef een tekst.',
    'not-a-boolean': 'Kies ja of nee.',
    'not-a-list': 'Geef een lijst.',
    'not-an-object': 'Dit onderdeel is onvolledig of ongeldig.',
    'not-allowed': 'Kies een van de mogelijke waarden.',
    'out-of-range': 'Deze waarde ligt buiten de grenzen.',
    'max-decimals': 'Te veel cijfers na de komma.',
    'bad-format': 'De vorm klopt niet.',
    'bad-characters': 'Deze tekst bevat tekens die niet toegelaten zijn.',
    'too-deep': 'De gegevens zijn te diep genest.',
    'not-json': 'De gegevens konden niet gelezen worden.',
    'unknown-field': 'Dit veld is onbekend.',
    'insz-format': 'Een INSZ heeft 11 cijfers (punten, streepjes en spaties mogen).',
    'insz-check-digits': 'Dit INSZ bestaat niet: de controlecijfers kloppen niet. Controleer het nummer.',
    'insz-birth-date': 'Dit INSZ bevat geen bestaande geboortedatum. Controleer het nummer.',
    'enterprise-number-format': 'Een ondernemingsnummer heeft 10 cijfers (punten, spaties en BE mogen), bijvoorbeeld 0123.456.749.',
    'enterprise-number-first-digit': 'Een ondernemingsnummer begint met 0 of 1.',
    'enterprise-number-check-digits': 'Dit ondernemingsnummer bestaat niet: de controlecijfers kloppen niet. Controleer het nummer.',
    'not-a-postal-code': 'Een Belgische postcode heeft 4 cijfers, van 1000 tot 9999.',
    'date-order': 'De einddatum ligt vóór de begindatum.',
    exclusive: 'Kies één jaar of een reeks van jaren, niet allebei.',
    'bad-cursor': 'Deze pagina bestaat niet meer. Begin opnieuw bij de eerste pagina.',
    // the browser's own: a pick-list holding typed text, not a choice (components/combobox.tsx)
    'choose-from-list': 'Kies een van de voorstellen uit de lijst: getypte tekst alleen wordt niet verzonden.',
    invalid: 'Deze waarde is ongeldig.',
  },
  en: {
    required: 'Fill in this field.',
    'too-long': 'This text is too long.',
    'too-short': 'This text is too short.',
    'too-many': 'There are too many.',
    'not-a-date': 'Give a date that exists.',
    'not-an-instant': 'Give a moment that exists.',
    'not-a-number': 'Give a number.',
    'not-an-integer': 'Give a whole number.',
    'not-a-string': 'Give a text.',
    'not-a-boolean': 'Choose yes or no.',
    'not-a-list': 'Give a list.',
    'not-an-object': 'This part is incomplete or invalid.',
    'not-allowed': 'Choose one of the possible values.',
    'out-of-range': 'This value is out of bounds.',
    'max-decimals': 'Too many digits after the decimal point.',
    'bad-format': 'The format is wrong.',
    'bad-characters': 'This text holds characters that are not allowed.',
    'too-deep': 'The data are nested too deeply.',
    'not-json': 'The data could not be read.',
    'unknown-field': 'This field is unknown.',
    'insz-format': 'An INSZ has 11 digits (dots, dashes and spaces are allowed).',
    'insz-check-digits': 'This INSZ does not exist: its check digits do not match. Check the number.',
    'insz-birth-date': 'This INSZ holds no real birth date. Check the number.',
    'enterprise-number-format': 'An enterprise number has 10 digits (dots, spaces and BE are allowed), for example 0123.456.749.',
    'enterprise-number-first-digit': 'An enterprise number begins with 0 or 1.',
    'enterprise-number-check-digits': 'This enterprise number does not exist: its check digits do not match. Check the number.',
    'not-a-postal-code': 'A Belgian postal code has 4 digits, from 1000 to 9999.',
    'date-order': 'The end date is before the start date.',
    exclusive: 'Choose one year or a series of years, not both.',
    'bad-cursor': 'This page no longer exists. Start again from the first page.',
    'choose-from-list': 'Choose one of the entries from the list: typed text alone is not sent.',
    invalid: 'This value is not accepted.',
  },
};

/** The text of a broken rule in `lang`; an unknown rule (a newer service) gets a general text. */
export function ruleText(lang: Lang, rule: string): string {
  return (
    RULE_TEXTS[lang][rule] ?? (lang === 'nl' ? 'Dit kan niet in de huidige toestand van het dossier.' : 'This is not possible in the file’s current state.')
  );
}

export function fieldErrorText(lang: Lang, code: string | undefined): string {
  return FIELD_ERROR_TEXTS[lang][code ?? 'invalid'] ?? FIELD_ERROR_TEXTS[lang].invalid;
}

/**
 * Codes only a history import's row errors carry (docs/import.md, "Row errors"); the other codes of
 * an import are the field error codes above, and a broken domain rule is named by its `rule`.
 */
export const IMPORT_ERROR_TEXTS: Record<Lang, Record<string, string>> = {
  nl: {
    'registration-first': 'De eerste rij van een persoon moet de registratie zijn.',
    'registered-twice': 'Deze persoon heeft een tweede registratierij. Verwijder ze.',
    'out-of-order': 'De rijen van deze persoon staan niet in datumvolgorde.',
    'not-text': 'Deze cel moet tekst bevatten.',
    'not-visible-text': 'Een naam bevat minstens één letter en geen onzichtbare tekens.',
    'control-character': 'Deze cel bevat stuurtekens. Maak ze schoon.',
    formula: 'Een cel bevat een formule. Plak alleen waarden.',
    'several-sheets': 'Het werkboek heeft meer dan één blad. Zet de historiek op één blad.',
    interrupted: 'De dienst stopte terwijl de import liep. Stuur het bestand opnieuw.',
    unreadable: 'Het bestand kon niet tot het einde gelezen worden. Exporteer het opnieuw.',
    header: 'De kopregel klopt niet: gebruik de kolomnamen van het sjabloon.',
  },
  en: {
    'registration-first': 'A person’s first row must be their registration.',
    'registered-twice': 'This person has a second registration row. Remove it.',
    'out-of-order': 'This person’s rows are not in date order.',
    'not-text': 'This cell must hold text.',
    'not-visible-text': 'A name holds at least one letter and no invisible characters.',
    'control-character': 'This cell holds control characters. Clean it.',
    formula: 'A cell holds a formula. Paste values only.',
    'several-sheets': 'The workbook has more than one sheet. Keep the history on one sheet.',
    interrupted: 'The service stopped while the import ran. Send the file again.',
    unreadable: 'The file could not be read to its end. Export it again.',
    header: 'The header row is wrong: use the column names of the template.',
  },
};

/** A history import's row error in `lang`: the broken rule when it names one, else its code. */
export function importErrorText(lang: Lang, error: { code: string; rule: string | null }): string {
  if (error.rule) return ruleText(lang, error.rule);
  return IMPORT_ERROR_TEXTS[lang][error.code] ?? RULE_TEXTS[lang][error.code] ?? fieldErrorText(lang, error.code);
}
