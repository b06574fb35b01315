/** The agent's version, sent in its hello as `fleetterm-agent/<version>`. */
export const AGENT_VERSION = '0.1.0';
export const AGENT_SOFTWARE = `fleetterm-agent/${AGENT_VERSION}`;
