#!/usr/bin/env bash
# A single-node Slurm cluster on localhost, for the `--executor slurm` test (test/cli/sweep-slurm.test.ts).
# Debian 12's slurm-wlm (slurmctld + slurmd) and munge; run as root (CI does). Idempotent: a second
# run finds the daemons up and leaves them be. Writes /etc/slurm/slurm.conf.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "slurm-localhost: must run as root (it writes /etc/slurm and starts daemons)" >&2
  exit 1
fi

if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge > /dev/null
fi

host="$(hostname -s)"
cpus="$(nproc)"
# RealMemory in MB, a little under what the machine has, so that slurmd does not drain the node.
mem_mb="$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)"

# munge: the key Debian's package made, or a fresh one.
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n > /dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --force
fi

mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
chown slurm:slurm /var/spool/slurmctld /var/log/slurm 2> /dev/null || true

# No cgroups (containers rarely delegate them): proctrack/linuxproc and task/none; no accounting
# daemon, so sacct reads nothing and `anneal sweep status` falls back to squeue and the run folders.
cat > /etc/slurm/slurm.conf << EOF
ClusterName=anneal-ci
SlurmctldHost=${host}(127.0.0.1)
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld
SlurmUser=root
SlurmdUser=root
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
EOF
# Slurm 22.05 has no "disabled" cgroup plugin: without a cgroup.conf slurmd autodetects v1/v2 and,
# with the plugins above, only reads it.
rm -f /etc/slurm/cgroup.conf

if ! scontrol ping > /dev/null 2>&1 || ! scontrol ping | grep -q UP; then
  /usr/sbin/slurmctld -c 2> /dev/null || /usr/sbin/slurmctld
fi
if ! pgrep -x slurmd > /dev/null; then
  /usr/sbin/slurmd
fi

# Up when the node answers idle (or mixed/allocated, if a job already runs).
for _ in $(seq 1 30); do
  state="$(sinfo -h -N -o '%T' 2> /dev/null | head -1 || true)"
  case "$state" in
    idle | mixed | allocated)
      echo "slurm-localhost: node ${host} ${state}, ${cpus} CPUs"
      exit 0
      ;;
    down* | drain* | unknown*)
      scontrol update nodename="${host}" state=resume > /dev/null 2>&1 || true
      ;;
  esac
  sleep 1
done
echo "slurm-localhost: the node did not come up; slurmctld.log and slurmd.log follow" >&2
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
