/**
 * The resource tags kas's own packages declare with `createResourceTag` (`AGENT_TUNNELS` of
 * `@kas/tunnel-protocol`): where one of them and a tag within two edits of it meet, it is the right
 * spelling. A test keeps the list in step with the packages.
 */
export const KAS_RESOURCE_TAGS: readonly string[] = ['agent-tunnels'];
