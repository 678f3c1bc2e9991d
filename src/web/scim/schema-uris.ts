/** The SCIM URNs Stepgate speaks, and its own extension schema's id. */
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const STEPGATE_USER = 'urn:stepgate:params:scim:schemas:extension:2.0:User';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SERVICE_PROVIDER_CONFIG = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
