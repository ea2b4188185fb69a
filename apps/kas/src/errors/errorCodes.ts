/** Every error code the kas app throws, with what it means. The app README lists the same table. */
export const KAS_APP_ERROR_CODES = {
  KAS_CONFIG_UNREADABLE: 'the config file (or a file it names, such as a secret) cannot be read',
  KAS_CONFIG_SYNTAX: 'the config file is not valid YAML',
  KAS_CONFIG_INVALID:
    'a config value (from the file or an environment variable) is missing, unknown or of the wrong type',
  KAS_TLS_INVALID:
    'a TLS file the config names is not a PEM certificate or private key, or the key does not belong to the certificate',
  KAS_OBSERVABILITY_LISTEN_FAILED:
    'the observability listener cannot bind its address (port in use, no permission)',
  KAS_MODULE_NOT_FOUND:
    'an entry of `modules:` cannot be loaded: no such package or file next to the config, or an import of its code cannot be resolved (a dependency not installed)',
  KAS_MODULE_IMPORT_FAILED:
    'an entry of `modules:` was found, but its code threw while being imported (its top level, e.g. a declaration the core refuses)',
  KAS_MODULE_LISTED_TWICE:
    'the same module is listed twice under `modules:`: the same entry, or two entries that resolve to the same file',
  KAS_MODULE_EXPORT_INVALID:
    'an entry of `modules:` has no default export that is a module, a list of modules or a factory (with `configKey` and `configSchema`), or a module it gives is a declaration `defineModule` would refuse',
  KAS_MODULE_FACTORY_FAILED:
    "the factory an entry of `modules:` exports threw while kas created the entry's modules from its config section",
  KAS_MODULE_NAME_TAKEN:
    "a loaded module's name, or its config key, is already taken by a built-in module, a kas.yaml key or another loaded module",
  KAS_MODULE_RELATION_UNKNOWN:
    'a loaded module starts after, stops with, alongside or after a module that this kas does not have',
  KAS_OVERRIDE_MODULE_UNKNOWN:
    'an entry of `overrides:` names a module, as its key or in a stop relation, that this kas does not have',
  KAS_OVERRIDE_CONFLICT:
    'an entry of `overrides:` sets what another setting decides: the stop of a module `--legacy-stop-order` reorders, or the drain budget of a built-in module that has a kas.yaml key for it',
  KAS_TRACE_FILE_UNWRITABLE:
    'the file `--trace-file` names cannot be opened for writing (no such directory, a read-only filesystem, no permission)',
  KAS_LINT_ONLY: 'a composition made for linting (placeholder secrets, no files read) was started',
  KAS_USAGE: 'the command line is wrong (unknown flag, missing value, conflicting flags)',
  KAS_DEV_UNAVAILABLE:
    '`--dev` was given to a production install, which leaves out the devDependencies dev mode runs',
} as const;

/** A stable error code of the kas app. */
export type KasAppErrorCode = keyof typeof KAS_APP_ERROR_CODES;
