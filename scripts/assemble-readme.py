# Assembles README.md from the sections in docs/ (one per area), in reading order.
import os, re
import pathlib
root=pathlib.Path(__file__).resolve().parent.parent
d=str(root/'docs')+'/'
order=['readme-head.md','TOC','config.md','core.md','DATASOURCES','dynamodb.md','postgres.md','http-lambda.md','auth.md','realtime.md','stepfunctions.md','data.md','readme-tail.md','startup.md','bench.md','DEV']
out=[]
def demote(text, name):
    # sections from helpers may start at '#'; keep README's top level at '##' (outside code fences)
    lines=text.strip('\n').split('\n')
    if name=='readme-head.md' or not (lines and lines[0].startswith('# ')):
        return text
    out=[]; fence=False
    for l in lines:
        if l.startswith('```'): fence=not fence
        out.append('#'+l if (not fence and l.startswith('#')) else l)
    return '\n'.join(out)
for name in order:
    if name=='TOC':
        out.append('''## Contents

[Config](#config) · [Resolver runtime](#resolver-runtime-appsync_js) · [Schema](#schema) · [Data sources](#data-sources) ([DynamoDB](#dynamodb), [Postgres](#postgres-relational_database), [HTTP](#http-data-source), [Lambda](#lambda-data-source), [your own](#plug-your-own-data-source)) · [Auth modes](#auth-modes) · [Real-time](#real-time-subscriptions) · [Step Functions](#step-functions) · [Where data lives](#where-data-lives) · [Errors](#errors) · [CLI](#cli) · [Library API](#library-api) · [Gateway choices](#gateway-choices) · [Not supported yet](#not-supported-yet) · [Start-up](#start-up) · [Benchmarks](#benchmarks) · [Development](#development)
''')
        continue
    if name=='DATASOURCES':
        out.append('''## Data sources

| type | talks to | default for `npm start` |
| --- | --- | --- |
| `NONE` | nothing: `request(ctx)` returns `{ payload }`, which becomes `ctx.result` (a request without `payload` gives `null`) | — |
| `AMAZON_DYNAMODB` | any DynamoDB endpoint | an embedded DynamoDB-compatible store (dynalite) on loopback |
| `RELATIONAL_DATABASE` | any PostgreSQL through `pg` | an embedded Postgres (PGlite) on loopback |
| `HTTP` | any HTTP endpoint, optionally SigV4-signed | — |
| `AWS_LAMBDA` | a handler run in-process, or the Lambda Invoke API | — |
| your own | `createGateway(config, { dataSourceKinds })` | — |
''')
        continue
    if name=='DEV':
        out.append('''## Development

```sh
npm install
npm test                 # vitest: unit tests and end-to-end tests against real servers
npm run typecheck
npm run bench            # benchmarks, writes test/bench/RESULTS.md
bash .ci/run             # what CI runs: installs missing Debian packages, npm ci, npm test
python3 scripts/assemble-readme.py   # README.md is assembled from docs/*.md: edit those
```

The suite starts its servers once per run (vitest `globalSetup` in `test/setup/`): AWS's DynamoDB
Local (Java), a PostgreSQL server (`initdb`/`pg_ctl` in a temp folder) and Redis, each on a random
loopback port; every test uses its own tables, schema and channels. With `CI=true` a server that
cannot start fails the run; locally the tests that need it are skipped with the reason. Layout:
`src/` areas as in DESIGN (config, schema, resolvers, datasources, auth, realtime, server,
stepfunctions, embedded), `test/` mirrors them, `test/e2e/` drives the gateway with real clients.
''')
        continue
    p=d+name
    if os.path.exists(p):
        out.append(demote(open(p).read(), name))
open(root/'README.md','w').write('\n\n'.join(s.strip('\n') for s in out)+'\n')
print('ok')
