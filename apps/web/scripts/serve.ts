// `pnpm --filter @pullsight/web start`: the dashboard over DATABASE_URL (serve), or with a
// collector for PULLSIGHT_KUBECONFIG's clusters (live). The demo is the demo app's (apps/demo).
import { launch } from "./launcher.ts";

await launch();
