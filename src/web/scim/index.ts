// The SCIM 2.0 surface: the plugin to mount.
export { SCIM_PREFIX, type ScimOptions, scimPlugin } from './plugin.js';
