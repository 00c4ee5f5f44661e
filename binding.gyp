{
  "target_defaults": {
    "cflags": ["-Wall", "-Wextra", "-Werror", "-fstack-protector-strong", "-fvisibility=hidden", "-O2"],
    "cflags_c": ["-std=gnu11"],
    "cflags!": ["-Wno-unused-parameter"]
  },
  "targets": [
    {
      "target_name": "tsrun_native",
      "sources": [
        "csrc/native/addon.c",
        "csrc/native/spawn.c",
        "csrc/native/memfd.c",
        "csrc/native/mapped.c",
        "csrc/native/fdpass.c",
        "csrc/native/bpf.c",
        "csrc/native/seccomp.c",
        "csrc/native/idmap.c"
      ],
      "libraries": ["-lseccomp"]
    },
    {
      "target_name": "tsrun-init",
      "type": "executable",
      "sources": [
        "csrc/init/main.c",
        "csrc/init/plan-reader.c",
        "csrc/init/report.c",
        "csrc/init/util.c",
        "csrc/init/namespaces.c",
        "csrc/init/mounts.c",
        "csrc/init/devices.c",
        "csrc/init/hooks.c",
        "csrc/init/identity.c",
        "csrc/init/process-attrs.c",
        "csrc/init/console.c",
        "csrc/init/exec.c",
        "csrc/init/seccomp.c"
      ],
      "ldflags": ["-static"]
    },
    {
      "target_name": "plan-dump",
      "type": "executable",
      "sources": ["csrc/test/plan-dump.c", "csrc/init/plan-reader.c", "csrc/frontdoor/lifecycle.c"]
    },
    {
      "target_name": "tsrun",
      "type": "executable",
      "sources": [
        "csrc/frontdoor/main.c",
        "csrc/frontdoor/commands.c",
        "csrc/frontdoor/foreground.c",
        "csrc/frontdoor/lifecycle.c",
        "csrc/frontdoor/status.c",
        "csrc/frontdoor/cgroup.c",
        "csrc/frontdoor/hooks.c",
        "csrc/frontdoor/primer.c",
        "csrc/frontdoor/report.c",
        "csrc/frontdoor/json.c",
        "csrc/init/plan-reader.c"
      ],
      "ldflags": ["-static"]
    },
    {
      "target_name": "tsrun-bin",
      "type": "none",
      "dependencies": ["tsrun"],
      "copies": [{ "destination": "<(module_root_dir)/bin", "files": ["<(PRODUCT_DIR)/tsrun"] }]
    }
  ]
}
