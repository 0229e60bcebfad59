// Test fixture: opens the embedded database like an app does, prints READY, and waits for a signal.
import { onShutdown, openDatabase, readDatabaseEnv } from "../bootstrap.ts";

const db = await openDatabase(readDatabaseEnv(process.env));
onShutdown(() => db.close());
console.log(`READY ${db.url}`);
setInterval(() => {}, 1 << 30);
