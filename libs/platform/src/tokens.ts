/** Nest injection tokens of the ports, shared by apps/api and apps/worker. */
export const SERVICE_CONFIG = Symbol('ServiceConfig');
export const CLOCK = Symbol('Clock');
export const EVENT_STORE = Symbol('EventStore');
/** the read store (and, without KurrentDB, also where the SQL event store lives) */
export const SQL_DATABASE = Symbol('SqlDatabase');
/** `Secrets`: the JWT secret and the INSZ hash key */
export const SECRETS = Symbol('Secrets');
/** `EmploymentRegister`: Dimona/IBO declarations the six-month check consults */
export const EMPLOYMENT_REGISTER = Symbol('EmploymentRegister');
/** The PlatformOverrides the process was started with (tests, bench). */
export const PLATFORM_OVERRIDES = Symbol('PlatformOverrides');
