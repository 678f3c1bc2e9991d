// The admin REST API's public surface: the plugin to mount, and what SCIM shares with it.
export { ADMIN_API_PREFIX, type AdminApiOptions, adminApiPlugin } from './plugin.js';
