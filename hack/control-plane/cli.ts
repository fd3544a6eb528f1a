// Entry point of the control-plane make targets: `build`, `up`, `down [--purge]`, `env`.
import { clusterDown, clusterUp, ensureBinaries, localClusterPaths } from "./index.js";

async function main(command: string | undefined, args: string[]): Promise<void> {
  switch (command) {
    case "build":
      await ensureBinaries();
      return;
    case "up": {
      await clusterUp();
      const { kubeconfig } = localClusterPaths();
      process.stdout.write(`\nLocal control plane is up. Try:\n  export KUBECONFIG=${kubeconfig}\n  kubectl apply -f crds/ && kubectl get helios -A\n`);
      return;
    }
    case "down":
      await clusterDown(localClusterPaths(), undefined, args.includes("--purge"));
      return;
    case "env": {
      // Paths for shell use, e.g. `eval "$(node dist/hack/control-plane/cli.js env)"`.
      const bins = await ensureBinaries();
      process.stdout.write(`export PATH=${[bins.kubectl, bins.helm].map((p) => p.replace(/\/[^/]+$/, "")).join(":")}:$PATH\n`);
      return;
    }
    default:
      process.stderr.write("usage: cli.js build | up | down [--purge] | env\n");
      process.exitCode = 2;
  }
}

main(process.argv[2], process.argv.slice(3)).catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
