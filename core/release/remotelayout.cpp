#include "remotelayout.h"

#include "git/releaselisting.h"
#include "git/sharedpaths.h"
#include "ssh/remotecommand.h"

#include <QJsonDocument>

namespace rd {

namespace {

QString q(const QString &value) { return RemoteCommand::quote(value); }

// Every script below is filled in with one multi-argument arg() call: chained arg() calls would
// replace a "%1" that a quoted value (a ref, an operator's name) happens to contain.

// Links shared path $1 into the release being built in $tmp; $2 climbs from the link to the root.
// A new shared path is seeded from the release's own copy (never from a link: a patch's copy of the
// live release holds the old link there).
const QString LinkFunction = QStringLiteral(
    "link() {\n"
    "  p=$1; up=$2\n"
    "  mkdir -p \"$root/shared/$(dirname \"$p\")\" || return 1\n"
    "  if [ ! -e \"$root/shared/$p\" ] && [ ! -L \"$root/shared/$p\" ]; then\n"
    "    if [ -e \"$tmp/$p\" ] && [ ! -L \"$tmp/$p\" ]; then mv \"$tmp/$p\" \"$root/shared/$p\" || return 1\n"
    "    else mkdir -p \"$root/shared/$p\" || return 1; fi\n"
    "  fi\n"
    "  rm -rf \"$tmp/$p\" && mkdir -p \"$tmp/$(dirname \"$p\")\" && ln -s \"$up/shared/$p\" \"$tmp/$p\"\n"
    "}\n");

// How releases are unpacked. The files belong to the deploy user under its umask and take the time
// they were unpacked, as after a git checkout: without the owner, mode and time calls per file and
// with 128 KiB reads, tar makes half the system calls, which on a busy server is a third of the
// unpack's CPU.
const QString TarExtract = QStringLiteral("tar -b 256 --no-same-owner --no-same-permissions -m -x");

// Said after a failed unpack: tar names the file it could not write, not that the disk is full.
const QString SayFreeSpace = QStringLiteral(
    "df -Pk \"$root\" | awk 'NR==2 {print \"unpacking failed with \" $4 \" KiB free on the deploy root\"}' >&2; ");

// The link of `current` as readlink prints it (releases/<version>), empty when there is none.
QString currentLink(RemoteLayout::CurrentLink from)
{
    return from == RemoteLayout::CurrentLink::FromState ? QStringLiteral("$c")
                                                         : QStringLiteral("$(readlink \"$root/current\" 2>/dev/null)");
}

const QString LockAgeScript = QStringLiteral(
    "age=$(( $(date +%s) - $(stat -c %Y \"$lock/owner\" 2>/dev/null || stat -c %Y \"$lock\") ))");

} // namespace

QString RemoteLayout::releaseDir(const QString &version) const
{
    return m_root + QStringLiteral("/releases/") + version;
}

QString RemoteLayout::packagePath(const QString &version, Compression compression) const
{
    return m_root + QStringLiteral("/.releasedesk/packages/") + version +
           (compression == Compression::Zstd ? QStringLiteral(".tar.zst") : QStringLiteral(".tar.gz"));
}

QString RemoteLayout::prepareCommand() const
{
    // Tested first: on every release but the first the directories are there, and mkdir is a program.
    const QString directories[] = {q(m_root + QStringLiteral("/releases")), q(m_root + QStringLiteral("/shared")),
                                   q(m_root + QStringLiteral("/.releasedesk/packages"))};
    return QStringLiteral("{ [ -d %1 ] && [ -d %2 ] && [ -d %3 ] || mkdir -p -- %1 %2 %3; }")
        .arg(directories[0], directories[1], directories[2]);
}

QString RemoteLayout::unpackCommand(const QString &version, const QString &sha256Hex, const QStringList &sharedPaths,
                                    const QByteArray &manifestJson, bool packageVerified,
                                    Compression compression) const
{
    QString script = QStringLiteral(
                         "root=%1; v=%2; sum=%3; pkg=%4\n"
                         "rel=\"$root/releases/$v\"; tmp=\"$root/releases/.$v.partial\"\n"
                         "if [ -d \"$rel\" ]; then exit 0; fi\n"
                         "%6"
                         "{ [ ! -e \"$tmp\" ] && [ ! -L \"$tmp\" ] || rm -rf \"$tmp\"; } && mkdir -p \"$tmp\" || exit %5\n"
                         "if ! %8 \"$pkg\" -C \"$tmp\"; then rm -rf \"$tmp\"; %9exit %5; fi\n"
                         "%7")
                         .arg(q(m_root), q(version), q(sha256Hex), q(packagePath(version, compression)),
                              QString::number(UnpackFailed), packageVerified ? QString() : checkPackage(), LinkFunction,
                              TarExtract + (compression == Compression::Zstd ? QStringLiteral(" -I zstd -f") : QStringLiteral(" -z -f")),
                              SayFreeSpace);
    return script + finishRelease(sharedPaths, manifestJson);
}

QString RemoteLayout::patchCommand(const QString &version, const QString &baseCommit, const QString &baseListing,
                                   const QString &sha256Hex, qint64 packageBytes, const QStringList &deletions,
                                   const QStringList &sharedPaths, const QByteArray &manifestJson,
                                   CurrentLink link) const
{
    // The live release must still be what was unpacked: its listing (sizes, modes, links) against
    // the digest the workstation made from the base commit.
    const QString checkListing =
        baseListing.isEmpty()
            ? QString()
            : QStringLiteral("got=$(set -- \"$cur\"; %1); got=${got%% *}\n"
                             "if [ \"$got\" != %2 ]; then echo \"the live release ${cur##*/} is not as it was unpacked: "
                             "files, sizes, modes or links were changed on the server\" >&2; exit %3; fi\n")
                  .arg(ReleaseListing::serverScript(), q(baseListing), QString::number(BaseMismatch));
    // The package is read first, whatever follows: the sender's input never meets a closed channel.
    // Exactly its bytes are read (GNU head reads no further): the input may go on with a switch
    // signal. A release already there is left as it is, and what follows the script still runs.
    QString script =
        QStringLiteral("root=%1; v=%2; sum=%3; pkg=%4; base=%5\n"
                       "rel=\"$root/releases/$v\"; tmp=\"$root/releases/.$v.partial\"\n"
                       "head -c %11 > \"$pkg\" || { rm -f \"$pkg\"; echo 'could not store the patch package (is the disk full?)' >&2; "
                       "exit %8; }\n"
                       "%7"
                       "if [ ! -d \"$rel\" ]; then\n"
                       "cur=%12; [ -n \"$cur\" ] || { echo 'there is no current release to patch' >&2; exit %6; }\n"
                       "cur=\"$root/$cur\"\n"
                       // The manifest is one line of JSON written by us: its commit is cut out with builtins.
                       "m=; { IFS= read -r m < \"$cur/.releasedesk.json\"; } 2>/dev/null\n"
                       "commit=; case \"$m\" in *'\"commit\":\"'*) commit=${m#*'\"commit\":\"'}; commit=${commit%%'\"'*} ;; esac\n"
                       "if [ \"$commit\" != \"$base\" ]; then echo \"the server runs commit ${commit:-unknown}, not the "
                       "patch's base $base\" >&2; exit %6; fi\n"
                       "%13"
                       "{ [ ! -e \"$tmp\" ] && [ ! -L \"$tmp\" ] || rm -rf \"$tmp\"; } && cp -al \"$cur/.\" \"$tmp\" || "
                       "{ rm -rf \"$tmp\"; exit %8; }\n"
                       // The copy shares its files with the live release: replace them, never write into
                       // them (tar replaces a file it meets with a new one, and a symlink where the
                       // archive has a folder with a folder; the old manifest goes before the new one is
                       // written). Nothing is deleted through a symlink (a shared path, or a base changed
                       // by hand). One rm for the manifest and every deleted path: each program costs.
                       "for p in \"$@\"; do d=$p\n"
                       "  while case $d in */*) true ;; *) false ;; esac; do d=${d%/*}\n"
                       "    if [ -L \"$tmp/$d\" ]; then echo \"the patch would delete $p through the symlink $d; "
                       "the release on the server was changed by hand\" >&2; rm -rf \"$tmp\"; exit %6; fi\n"
                       "  done; set -- \"$@\" \"$tmp/$p\"; shift\n"
                       "done\n"
                       "rm -rf -- \"$tmp/.releasedesk.json\" \"$@\" || { rm -rf \"$tmp\"; exit %8; }\n"
                       "if ! %10 -z -f \"$pkg\" -C \"$tmp\"; then rm -rf \"$tmp\"; %14exit %8; fi\n"
                       "%9")
            .arg(q(m_root), q(version), q(sha256Hex), q(packagePath(version)), q(baseCommit),
                 QString::number(BaseMismatch), checkPackage(packageBytes), QString::number(UnpackFailed),
                 LinkFunction, TarExtract, QString::number(packageBytes), currentLink(link), checkListing,
                 SayFreeSpace);
    // The deleted paths arrive as the script's arguments, each one quoted.
    QStringList arguments;
    for (const QString &path : deletions)
        arguments.append(q(path));
    return QStringLiteral("set -- %1\n%2%3fi\n").arg(arguments.join(u' '), script, finishRelease(sharedPaths, manifestJson));
}

Result<> RemoteLayout::checkPatchPaths(const QStringList &deletions)
{
    qsizetype bytes = 0;
    for (const QString &path : deletions) {
        const QStringList parts = path.split(u'/');
        if (path.startsWith(u'/') || parts.contains(QString()) || parts.contains(QStringLiteral("..")) ||
            parts.contains(QStringLiteral(".")) || path.contains(QChar(0)))
            return fail(tr("The patch deletes \"%1\", which is not a path inside the release.").arg(path),
                        tr("Make a full release instead."), QStringLiteral("deletions"));
        bytes += path.toUtf8().size() + 3;
    }
    // One remote command line holds at most 128 KiB.
    if (bytes > 96 * 1024)
        return fail(tr("The patch deletes %n path(s), too many to send in one command.", nullptr, int(deletions.size())),
                    tr("Make a full release instead."), QStringLiteral("deletions"));
    return {};
}

// Compares the package $pkg (of `bytes` bytes, -1 when not known) with $sum; PackageDamaged when they differ.
QString RemoteLayout::checkPackage(qint64 bytes)
{
    return QStringLiteral("actual=$(%1) || exit %2\n"
                          "actual=${actual%% *}\n"
                          "if [ \"$actual\" != \"$sum\" ]; then echo \"the package's sha256 on the server is $actual, "
                          "not $sum\" >&2; exit %2; fi\n")
        .arg(RemoteCommand::sha256Of(QStringLiteral("\"$pkg\""), bytes), QString::number(PackageDamaged));
}

// Links the shared paths into $tmp, writes the manifest, and renames $tmp to $rel.
QString RemoteLayout::finishRelease(const QStringList &sharedPaths, const QByteArray &manifestJson)
{
    QString script;
    // A shared path that already exists on the server wins; a new one is seeded from the release.
    for (const QString &path : sharedPaths)
        script += QStringLiteral("link %1 %2 || { rm -rf \"$tmp\"; echo %3 >&2; exit %4; }\n")
                      .arg(q(path), q(QString::fromUtf8(SharedPaths::climbToRoot(path.toUtf8()))), q(QStringLiteral("linking the shared path %1 failed").arg(path)),
                           QString::number(UnpackFailed));
    script += QStringLiteral("printf '%s\\n' %1 > \"$tmp/.releasedesk.json\" || { rm -rf \"$tmp\"; exit %2; }\n"
                             "mv \"$tmp\" \"$rel\" || { rm -rf \"$tmp\"; exit %2; }\n")
                  .arg(q(QString::fromUtf8(manifestJson)), QString::number(UnpackFailed));
    return script;
}

QString RemoteLayout::switchCommand(const QString &version, SwitchStart start, CurrentLink link) const
{
    const bool onSignal = start == SwitchStart::OnSignal;
    // A client gone while the server waits must leave no link behind: the trap is set before the link
    // is made; writing to a closed channel raises SIGPIPE, which is ignored so that the read below sees
    // the end of the input; a stop ends in the trap.
    const QString cleanUpOnStop =
        onSignal ? QStringLiteral("trap 'rm -f \"$tmp\"; exit %1' HUP INT TERM; trap '' PIPE\n").arg(NotSwitched)
                 : QString();
    const QString waitForSignal =
        onSignal ? QStringLiteral("echo %1\n"
                                  "while :; do IFS= read -r signal || { signal=; break; }; [ \"$signal\" = %3 ] || break; "
                                  "touch \"$root/.releasedesk/lock/owner\" 2>/dev/null; done\n"
                                  "if [ \"$signal\" != go ]; then rm -f \"$tmp\"; echo 'not switched: the release "
                                  "stopped before the switch' >&2; exit %2; fi\n"
                                  "trap - HUP INT TERM\n")
                       .arg(q(ReadyLine), QString::number(NotSwitched), q(WaitLine))
                 : QString();
    return QStringLiteral("root=%1; v=%2\n"
                          "if [ ! -d \"$root/releases/$v\" ]; then echo \"release $v is not on this server\" >&2; "
                          "exit %3; fi\n"
                          "prev=%7; prev=${prev#releases/}\n"
                          "tmp=\"$root/.current.$$\"\n"
                          "%6"
                          "ln -sfn \"releases/$v\" \"$tmp\" || exit 1\n"
                          "%4"
                          "mv -T \"$tmp\" \"$root/current\" || { rm -f \"$tmp\"; exit 1; }\n"
                          "echo %5\n"
                          "if [ -n \"$prev\" ] && [ \"$prev\" != \"$v\" ]; then "
                          "{ [ -d \"$root/.releasedesk\" ] || mkdir -p \"$root/.releasedesk\"; } && "
                          "printf '%s\\n' \"$prev\" > \"$root/.releasedesk/previous.$$\" && "
                          "mv -f \"$root/.releasedesk/previous.$$\" \"$root/.releasedesk/previous\"; fi\n")
        .arg(q(m_root), q(version), QString::number(ReleaseMissing), waitForSignal, q(SwitchedLine), cleanUpOnStop,
             currentLink(link));
}

QString RemoteLayout::cleanupCommand(int keep, const QString &current) const
{
    // Releases are ranked by their number (<project>-v<N>-<14 digits>) with shell builtins alone:
    // a handful of releases, and no program to start on every server of the fleet. Anything not
    // named like a release is never touched; equal numbers rank alike, so both are kept.
    const QString readCurrent = current.isEmpty()
                                    ? QStringLiteral("cur=$(readlink \"$root/current\" 2>/dev/null || true); cur=${cur#releases/}")
                                    : QStringLiteral("cur=%1").arg(q(current));
    return QStringLiteral("root=%1; keep=%2\n"
                          "%4\n"
                          "prev=; { IFS= read -r prev < \"$root/.releasedesk/previous\"; } 2>/dev/null\n"
                          "cd \"$root/releases\" || exit 0\n"
                          "for p in ./.[!.]*.partial; do if [ -e \"$p\" ]; then rm -rf \"$p\"; fi; done\n"
                          "set --\n"
                          "for r in *-v*-*; do\n"
                          "  [ -d \"$r\" ] || continue\n"
                          "  n=${r%-*}; n=${n##*-v}\n"
                          "  case \"$n\" in ''|*[!0-9]*) continue ;; esac\n"
                          "  case \"${r##*-}\" in %3) ;; *) continue ;; esac\n"
                          "  set -- \"$@\" \"$n $r\"\n"
                          "done\n"
                          "for a in \"$@\"; do\n"
                          "  r=${a#* }; newer=0\n"
                          "  for b in \"$@\"; do if [ \"${b%% *}\" -gt \"${a%% *}\" ]; then newer=$((newer + 1)); fi; done\n"
                          "  if [ \"$newer\" -ge \"$keep\" ] && [ \"$r\" != \"$cur\" ] && [ \"$r\" != \"$prev\" ]; then\n"
                          "    rm -rf -- \"$r\" \"$root/.releasedesk/packages/$r.tar.gz\" "
                          "\"$root/.releasedesk/packages/$r.tar.zst\" && echo \"removed $r\"\n"
                          "  fi\n"
                          "done\n")
        .arg(q(m_root), QString::number(qMax(2, keep)), QStringLiteral("[0-9]").repeated(14), readCurrent);
}

QString RemoteLayout::stateCommand(StateDetail detail) const
{
    // Shell builtins where they can do the job: each program started costs every server milliseconds.
    QString script = QStringLiteral("root=%1\n"
                                    "if command -v zstd >/dev/null 2>&1; then echo zstd=yes; fi\n"
                                    "if [ ! -d \"$root\" ]; then echo root=no; exit 0; fi\n"
                                    "echo root=yes\n"
                                    "c=%2; echo \"current=${c#releases/}\"\n"
                                    "p=; { IFS= read -r p < \"$root/.releasedesk/previous\"; } 2>/dev/null; "
                                    "echo \"previous=$p\"\n"
                                    "for r in \"$root\"/releases/*; do [ -d \"$r\" ] && echo \"release=${r##*/}\"; done\n")
                         .arg(q(m_root), currentLink(CurrentLink::Read));
    if (detail == StateDetail::Full)
        script += QStringLiteral(
                      "lock=\"$root/.releasedesk/lock\"\n"
                      // One line of JSON written by us; cut short so a damaged file cannot flood the output.
                      "echo \"manifest=$(head -c 8192 \"$root/current/.releasedesk.json\" 2>/dev/null | tr -d '\\n')\"\n"
                      "df -Pk \"$root\" | awk 'NR==2 {print \"free_kib=\" $4}'\n"
                      "if [ -d \"$lock\" ]; then\n"
                      "  echo \"lock=$(tr '\\n' ' ' < \"$lock/owner\" 2>/dev/null)\"\n"
                      "  %1; echo \"lock_age=$age\"\n"
                      "fi\n")
                      .arg(LockAgeScript);
    // Ends in success without `exit`, so that a caller may run more after it.
    return script + QStringLiteral("true\n");
}

RemoteState RemoteLayout::parseState(const QStringList &lines)
{
    RemoteState state;
    for (const QString &line : lines) {
        const QString key = line.section(u'=', 0, 0);
        const QString value = line.section(u'=', 1);
        if (key == u"root")
            state.rootExists = value == u"yes";
        else if (key == u"current")
            state.current = value;
        else if (key == u"previous")
            state.previous = value;
        else if (key == u"release")
            state.releases.append(value);
        else if (key == u"zstd")
            state.hasZstd = value == u"yes";
        else if (key == u"free_kib")
            state.freeKiB = value.toLongLong();
        else if (key == u"lock")
            state.lockHolder = value.trimmed();
        else if (key == u"lock_age")
            state.lockAgeSeconds = value.toLongLong();
        else if (key == u"manifest")
            state.currentManifest = QJsonDocument::fromJson(value.toUtf8()).object();
    }
    return state;
}

QString RemoteLayout::lockCommand(const QString &owner) const
{
    return QStringLiteral("base=%1; lock=\"$base/lock\"\n"
                          "[ -d \"$base\" ] || mkdir -p \"$base\" || exit 1\n"
                          "if mkdir \"$lock\" 2>/dev/null; then\n"
                          "  printf '%s\\n' %2 > \"$lock/owner\" && exit 0\n"
                          "  rm -rf \"$lock\"; echo 'could not write the lock owner (disk full?)' >&2; exit 1\n"
                          "fi\n"
                          // The same task in a new process (resume, promote) takes its own lock back.
                          "o=; { IFS= read -r o < \"$lock/owner\"; } 2>/dev/null\n"
                          "if [ \"$o\" = %2 ]; then touch \"$lock/owner\"; exit 0; fi\n"
                          "%3\n"
                          "echo \"held by $(tr '\\n' ' ' < \"$lock/owner\" 2>/dev/null)(heartbeat $age s ago)\" >&2\n"
                          "exit %4\n")
        .arg(q(m_root + QStringLiteral("/.releasedesk")), q(owner), LockAgeScript, QString::number(LockHeld));
}

QString RemoteLayout::heartbeatCommand(const QString &owner) const
{
    // Refreshes only our own lock: a lock broken and taken by someone else is lost, and said so.
    return QStringLiteral("lock=%1\n"
                          "o=; { IFS= read -r o < \"$lock/owner\"; } 2>/dev/null\n"
                          "if [ \"$o\" = %2 ]; then touch \"$lock/owner\"; exit $?; fi\n"
                          "echo 'the deploy lock was broken or taken by someone else' >&2\n"
                          "exit %3\n")
        .arg(q(m_root + QStringLiteral("/.releasedesk/lock")), q(owner), QString::number(LockLost));
}

QString RemoteLayout::unlockCommand(const QString &owner) const
{
    return QStringLiteral("lock=%1\n"
                          "o=; { IFS= read -r o < \"$lock/owner\"; } 2>/dev/null\n"
                          "if [ \"$o\" = %2 ]; then rm -rf \"$lock\"; fi\n")
        .arg(q(m_root + QStringLiteral("/.releasedesk/lock")), q(owner));
}

QString RemoteLayout::breakStaleLockCommand(int staleSeconds) const
{
    // Moved aside before it is judged: of two operators breaking the same stale lock, only one gets
    // it, and a lock refreshed in the meantime is put back.
    return QStringLiteral("lock=%1; aside=\"$lock.breaking.$$\"\n"
                          "mv \"$lock\" \"$aside\" 2>/dev/null || exit 0\n"
                          "lock=\"$aside\"; %2\n"
                          "if [ \"$age\" -ge %3 ]; then rm -rf \"$aside\" && echo \"broke a lock idle for $age s\"; "
                          "exit 0; fi\n"
                          "echo \"the lock is in use: heartbeat $age s ago, held by $(tr '\\n' ' ' < \"$aside/owner\" "
                          "2>/dev/null)\" >&2\n"
                          "mv \"$aside\" %1 2>/dev/null || rm -rf \"$aside\"\n"
                          "exit %4\n")
        .arg(q(m_root + QStringLiteral("/.releasedesk/lock")), LockAgeScript, QString::number(staleSeconds),
             QString::number(LockNotStale));
}

} // namespace rd
