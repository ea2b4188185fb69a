import { agentCredentialsSchema } from '@kas/module-agent-grpc';
import { kubeProxyUsersSchema } from '@kas/module-kube-proxy';
import type { KasFiles } from './KasFiles.js';
import type { KasConfig } from './kasConfigSchema.js';

/** What the agents and users files say together. */
export interface AgentFilesCheck {
  /** Agents `agentGrpc.agentsFile` lists: with none, no agent can ever connect. */
  readonly agentCount: number;
  /** Users allowed an agent the agents file does not list. */
  readonly unlisted: readonly UnlistedAgent[];
}

/** A user allowed an agent that the agents file does not list. */
export interface UnlistedAgent {
  readonly user: string;
  readonly agentId: string;
}

/**
 * How many agents the agents file lists, and the users (kubeProxy.usersFile) allowed an agent that agentGrpc.agentsFile does not list: their requests
 * for it can never be answered by this replica's agents. Not an error (the agent may be listed on other
 * replicas, or added later), but worth a warning at start. Both files were checked when the modules were
 * created; they are read again here.
 */
export async function checkAgentFiles(config: KasConfig, files: KasFiles): Promise<AgentFilesCheck> {
  const [agents, users] = await Promise.all([
    files.readYaml(config.agentGrpc.agentsFile, ['agentGrpc', 'agentsFile'], agentCredentialsSchema, ''),
    files.readYaml(config.kubeProxy.usersFile, ['kubeProxy', 'usersFile'], kubeProxyUsersSchema, ''),
  ]);
  const listed = new Set(agents.map((agent) => agent.id));
  return {
    agentCount: agents.length,
    unlisted: users.flatMap((user) =>
      user.agents.filter((agentId) => !listed.has(agentId)).map((agentId) => ({ user: user.name, agentId })),
    ),
  };
}
