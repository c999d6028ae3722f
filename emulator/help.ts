// `edgeshard-emulator --help`. Every flag of main.ts is listed (test/node/emulator/help.test.ts checks).
export const EMULATOR_HELP = `usage: edgeshard-emulator [options]

A local stand-in for Discord (REST v10, gateway v10 with zlib-stream, signed interactions) and QQ Bot
(access tokens, signed callbacks, OpenAPI messages). Prints one JSON line on stdout once it listens
({"ready":true,"url":…,"apiUrl":…,"gatewayUrl":…,"token":…}); logs go to stderr. Point a shard host at it
with DISCORD_API_URL=<apiUrl> and DISCORD_TOKEN=<token>.

Each option may also be given as an environment variable EMULATOR_<NAME> (e.g. EMULATOR_PORT=8790).

  --port <n>                    port to listen on (0 picks a free one)               default 8790
  --host <address>              address to listen on                                 default 127.0.0.1
  --token <text>                the bot token it accepts                             default emulator-token
  --shards <n>                  shard count /gateway/bot recommends                  default 2
  --max-concurrency <n>         identify buckets (session_start_limit.max_concurrency) default 1
  --guilds <n>                  guilds in the generated world                        default max(8, shards)
  --rate <n>                    simulated messages per second (0: only what you say)  default 0
  --seed <n>                    seed of the generated world                          default 1
  --identify-window-ms <n>      one identify per bucket per this window              default 5000
  --heartbeat-interval-ms <n>   heartbeat_interval sent in Hello                     default 41250
  --session-start-total <n>     session_start_limit.total (daily identifies)         default 1000
  --session-timeout-ms <n>      how long a disconnected session stays resumable      default 120000
  --resume-buffer-size <n>      dispatches kept per session for replay on resume     default 10000
  --worker-url <url>            where signed interactions and QQ callbacks are POSTed
  --qq-app-id <id>              QQ Bot AppID of the emulated app
  --qq-app-secret <secret>      QQ Bot AppSecret (better: EMULATOR_QQ_APP_SECRET)
  -h, --help                    this text

Control endpoints for tests and \`npm start\` live under <url>/_emulator/ (world, say, messages, state).
`;
