import type { Command } from 'commander';
import { API_KEY_ENV, isLoopback, resolveApiKey } from '../../backends/http-auth.ts';
import { DEFAULT_REWARD_SERVER_PORT, startRewardServer } from '../../backends/reward-server.ts';
import { RewardName } from '../../backends/reward-wire.ts';
import { verifyScorer } from '../../backends/verify-scorer.ts';
import { ConfigError, createLogger } from '../../core/index.ts';

/**
 * `vlthink reward-server [--port P] [--host H]`: serves verify/'s rewards over HTTP for external RL engines
 * (EasyR1 through the generated shim, OpenRLHF through --remote_rm_url http://H:P/get_reward) until SIGINT/SIGTERM.
 */
interface Flags {
  port: string;
  host: string;
  openrlhfReward: string;
  apiKey?: string;
}

export function register(program: Command): void {
  program
    .command('reward-server')
    .description("serve vlthink's rewards over HTTP: POST /v1/reward (batch), POST /get_reward (OpenRLHF), GET /health")
    .option('--port <port>', 'TCP port (0 picks a free one)', String(DEFAULT_REWARD_SERVER_PORT))
    .option('--host <host>', 'address to bind; 0.0.0.0 to serve other machines', '127.0.0.1')
    .option(
      '--openrlhf-reward <name>',
      `reward for /get_reward requests (${RewardName.options.join(', ')})`,
      'openvlthinker',
    )
    .option('--api-key <key>', `require 'Authorization: Bearer <key>' on every request (default: $${API_KEY_ENV})`)
    .action(async (flags: Flags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw new ConfigError('port', `must be an integer in 0..65535, got '${flags.port}'`, { value: flags.port });
      const reward = RewardName.safeParse(flags.openrlhfReward);
      if (!reward.success)
        throw new ConfigError('openrlhf-reward', `unknown reward '${flags.openrlhfReward}'`, {
          hint: `use one of ${RewardName.options.join(', ')}`,
        });
      const logger = createLogger({ scope: 'reward-server' });
      const apiKey = resolveApiKey(flags.apiKey);
      if (!isLoopback(flags.host) && !apiKey)
        logger.warn(
          `${flags.host} opens the server to the network without an API key; set --api-key or ${API_KEY_ENV}`,
        );
      const server = await startRewardServer({
        port,
        host: flags.host,
        score: verifyScorer,
        ...(apiKey ? { apiKey } : {}),
        openRlhfReward: { name: reward.data },
        logger,
      });
      process.stdout.write(
        `${JSON.stringify({ url: server.url, endpoints: ['/v1/reward', '/get_reward', '/health'] })}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });
}
