// Benchmark of the release engine (issue "release engine", Measures): a ~50 MB package released to 50
// private sshd test hosts by ReleaseDesk and by what operators run instead, measured in the same run:
//   (a) xargs -P of `ssh host 'tar xzf -'` then the symlink switch  (baselines/release-xargs.sh)
//   (b) parallel-scp + parallel-ssh, and parallel-ssh -I            (baselines/release-pssh.sh)
//   (c) ansible-playbook copy + shell tar, and unarchive            (baselines/release-ansible.sh)
// Wall time, and CPU of the whole machine (/proc/stat: client and sshd share its 2 cores), for each;
// ratios against each baseline; the mixed-version window; a patch release of a 1-file change.
//
// Run as root (the test hosts need it):
//   bench_release [--hosts N] [--size-mb M] [--parallelism 10,50] [--rounds R] [--skip a,b,c]

#include "release/releaseengine.h"
#include "ssh/knownhosts.h"
#include "ssh/sshlibrary.h"
#include "testhosts.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <unistd.h>

using namespace rd;
using namespace rd::test;

namespace {

struct Sample
{
    double wall = 0;
    double cpu = 0; // the whole machine's user + system seconds
    qint64 windowMs = -1;
};

// User + nice + system + irq + softirq of every core, in seconds.
double machineCpu()
{
    const QList<QByteArray> fields = readAll(QStringLiteral("/proc/stat")).split('\n').value(0).simplified().split(' ');
    qint64 ticks = 0;
    for (int index : {1, 2, 3, 6, 7})
        ticks += fields.value(index).toLongLong();
    return double(ticks) / double(sysconf(_SC_CLK_TCK));
}

QString sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

class Bench
{
public:
    Bench(int hosts, int sizeMb, QList<int> parallelism, int rounds, QStringList skip)
        : m_hostCount(hosts), m_sizeMb(sizeMb), m_parallelism(std::move(parallelism)), m_rounds(rounds),
          m_skip(std::move(skip))
    {
    }
    int run();

private:
    bool makePackage();
    void wipe();
    bool deployedEverywhere(const QString &version);
    std::optional<Sample> external(const QStringList &arguments, const QString &version);
    std::optional<Sample> engine(int parallelism, const QString &version, ReleaseKind kind = ReleaseKind::Full);
    void measure(const QString &name, const std::function<std::optional<Sample>(const QString &version)> &once);
    bool skipped(const QString &way) const { return m_skip.contains(way); }
    QString script(const QString &name) const
    {
        return QStringLiteral(RELEASEDESK_SOURCE_DIR "/tests/bench/baselines/") + name;
    }
    QString root() const { return m_hosts.hosts[0].deployRoot + QStringLiteral("/bench"); }

    int m_hostCount;
    int m_sizeMb;
    QList<int> m_parallelism;
    int m_rounds;
    QStringList m_skip;
    QTemporaryDir m_dir;
    TestHostSet m_hosts;
    std::unique_ptr<KnownHosts> m_knownHosts;
    QString m_package;
    QString m_sha256;
    QString m_patch;
    QString m_patchSha256;
    int m_versions = 0;
    std::map<QString, std::vector<Sample>> m_results;
    QStringList m_names;
};

// A tree like a web application's: many small text files and some incompressible assets.
bool Bench::makePackage()
{
    const QString tree = m_dir.filePath(QStringLiteral("tree"));
    QRandomGenerator random(42);
    qint64 written = 0;
    const qint64 target = qint64(m_sizeMb) * 1024 * 1024 * 2; // gzip halves the text part
    for (int i = 0; written < target; ++i) {
        const QString path = tree + QStringLiteral("/src/module%1/file%2.php").arg(i / 100).arg(i);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return false;
        QByteArray content;
        if (i % 40 == 0) { // an asset: random bytes
            content.resize(256 * 1024);
            random.fillRange(reinterpret_cast<quint32 *>(content.data()), content.size() / 4);
        } else {
            for (int line = 0; line < 120; ++line)
                content += "    $value" + QByteArray::number(random.bounded(100000)) + " = compute($input, " +
                           QByteArray::number(random.bounded(1000)) + "); // step " + QByteArray::number(line) + "\n";
        }
        file.write(content);
        written += content.size();
    }
    m_package = m_dir.filePath(QStringLiteral("package.tar.gz"));
    if (QProcess::execute(QStringLiteral("tar"), {QStringLiteral("-czf"), m_package, QStringLiteral("-C"), tree,
                                                  QStringLiteral(".")}) != 0)
        return false;
    m_sha256 = sha256Of(m_package);
    // The patch: one changed file.
    const QString patchTree = m_dir.filePath(QStringLiteral("patch"));
    QDir().mkpath(patchTree + QStringLiteral("/src/module0"));
    QFile changed(patchTree + QStringLiteral("/src/module0/file1.php"));
    if (!changed.open(QIODevice::WriteOnly))
        return false;
    changed.write("<?php // fixed\n");
    changed.close();
    m_patch = m_dir.filePath(QStringLiteral("patch.tar.gz"));
    if (QProcess::execute(QStringLiteral("tar"), {QStringLiteral("-czf"), m_patch, QStringLiteral("-C"), patchTree,
                                                  QStringLiteral("src/module0/file1.php")}) != 0)
        return false;
    m_patchSha256 = sha256Of(m_patch);
    std::printf("package: %.1f MB (%lld MB of files), patch: %lld bytes\n", QFileInfo(m_package).size() / 1e6,
                written / 1024 / 1024, QFileInfo(m_patch).size());
    return true;
}

void Bench::wipe()
{
    for (const TestHost &host : m_hosts.hosts)
        QDir(host.backingDir + QStringLiteral("/bench")).removeRecursively();
}

bool Bench::deployedEverywhere(const QString &version)
{
    for (const TestHost &host : m_hosts.hosts) {
        const QString current = host.backingDir + QStringLiteral("/bench/current");
        if (QFileInfo(current).symLinkTarget() != QFileInfo(host.backingDir + QStringLiteral("/bench/releases/") + version).absoluteFilePath() ||
            !QFileInfo::exists(current + QStringLiteral("/src/module0/file1.php"))) {
            std::fprintf(stderr, "%s does not run %s\n", qPrintable(host.name), qPrintable(version));
            return false;
        }
    }
    return true;
}

std::optional<Sample> Bench::external(const QStringList &arguments, const QString &version)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const double cpu = machineCpu();
    QElapsedTimer clock;
    clock.start();
    process.start(arguments.first(), arguments.mid(1));
    if (!process.waitForFinished(900000) || process.exitCode() != 0) {
        std::fprintf(stderr, "%s failed: %s\n", qPrintable(arguments.first()), process.readAllStandardOutput().constData());
        return std::nullopt;
    }
    Sample sample{double(clock.nsecsElapsed()) / 1e9, machineCpu() - cpu};
    if (!deployedEverywhere(version))
        return std::nullopt;
    return sample;
}

std::optional<Sample> Bench::engine(int parallelism, const QString &version, ReleaseKind kind)
{
    ReleasePlan plan;
    plan.taskId = version;
    plan.project = QStringLiteral("bench");
    plan.environment = QStringLiteral("prod");
    plan.deployRoot = root();
    plan.version = version;
    plan.commit = kind == ReleaseKind::Patch ? QStringLiteral("2222222222222222222222222222222222222222")
                                             : QStringLiteral("1111111111111111111111111111111111111111");
    plan.operatorName = QStringLiteral("bench");
    plan.kind = kind;
    plan.packagePath = kind == ReleaseKind::Patch ? m_patch : m_package;
    plan.packageSha256 = kind == ReleaseKind::Patch ? m_patchSha256 : m_sha256;
    plan.baseCommit = QStringLiteral("1111111111111111111111111111111111111111");
    plan.parallelism = parallelism;
    ReleaseEngine release(plan, *m_knownHosts, HostKeyPrompt(), parallelism, m_dir.filePath(QStringLiteral("logs")));
    for (const TestHost &host : m_hosts.hosts) {
        SshTarget target = keyFileTarget(m_hosts, host);
        target.name = host.name;
        release.addServer(std::move(target));
    }
    QEventLoop loop;
    bool ok = false;
    QString summary;
    QObject::connect(&release, &ReleaseEngine::finished, &loop, [&](bool success, const QString &text) {
        ok = success;
        summary = text;
        loop.quit();
    });
    const double cpu = machineCpu();
    QElapsedTimer clock;
    clock.start();
    release.start();
    loop.exec();
    Sample sample{double(clock.nsecsElapsed()) / 1e9, machineCpu() - cpu, release.switchWindowMs()};
    if (!ok) {
        std::fprintf(stderr, "ReleaseDesk: %s\n", qPrintable(summary));
        return std::nullopt;
    }
    if (!deployedEverywhere(version))
        return std::nullopt;
    return sample;
}

void Bench::measure(const QString &name, const std::function<std::optional<Sample>(const QString &)> &once)
{
    if (!m_names.contains(name))
        m_names.append(name);
    wipe();
    const QString version = QStringLiteral("bench-v%1-20261124000000").arg(++m_versions);
    const std::optional<Sample> sample = once(version);
    if (!sample) {
        std::printf("  %-48s FAILED\n", qPrintable(name));
        std::fflush(stdout);
        return;
    }
    m_results[name].push_back(*sample);
    std::printf("  %-48s %7.2f s wall  %7.2f s CPU%s\n", qPrintable(name), sample->wall, sample->cpu,
                sample->windowMs >= 0 ? qPrintable(QStringLiteral("  window %1 ms").arg(sample->windowMs)) : "");
    std::fflush(stdout);
}

int Bench::run()
{
    std::printf("Starting %d test hosts on tmpfs...\n", m_hostCount);
    std::fflush(stdout);
    const qint64 tmpfsMb = qint64(m_sizeMb) * 6 + 64;
    m_hosts = startPrivateHosts(m_dir.filePath(QStringLiteral("hosts")), m_hostCount,
                                {QStringLiteral("--tmpfs-size"), QStringLiteral("%1m").arg(tmpfsMb)});
    if (m_hosts.hosts.size() != m_hostCount) {
        std::fprintf(stderr, "could not start the test hosts\n");
        return 1;
    }
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
    if (!m_knownHosts->import(m_hosts.knownHosts()) || !makePackage())
        return 1;
    const QString config = m_hosts.dir + QStringLiteral("/ssh_config");
    QStringList names;
    for (const TestHost &host : m_hosts.hosts)
        names.append(host.name);

    for (int round = 1; round <= m_rounds; ++round) {
        for (int p : std::as_const(m_parallelism)) {
            const QString suffix = QStringLiteral(", p=%1").arg(p);
            std::printf("Release to %d hosts, parallelism %d, round %d of %d\n", m_hostCount, p, round, m_rounds);
            auto baseline = [&](const QString &file, const QStringList &mode) {
                return [&, file, mode](const QString &version) {
                    return external(QStringList{script(file)} + mode +
                                        QStringList{config, QString::number(p), m_package, root(), version} + names,
                                    version);
                };
            };
            if (!skipped(QStringLiteral("a")))
                measure(QStringLiteral("(a) xargs -P ssh 'tar xzf -' + switch") + suffix,
                        baseline(QStringLiteral("release-xargs.sh"), {}));
            if (!skipped(QStringLiteral("b"))) {
                measure(QStringLiteral("(b) parallel-scp + parallel-ssh") + suffix,
                        baseline(QStringLiteral("release-pssh.sh"), {QStringLiteral("scp")}));
                measure(QStringLiteral("(b') parallel-ssh -I") + suffix,
                        baseline(QStringLiteral("release-pssh.sh"), {QStringLiteral("stdin")}));
            }
            if (!skipped(QStringLiteral("c"))) {
                measure(QStringLiteral("(c) ansible copy + shell tar") + suffix,
                        baseline(QStringLiteral("release-ansible.sh"), {QStringLiteral("copy")}));
                measure(QStringLiteral("(c') ansible unarchive") + suffix,
                        baseline(QStringLiteral("release-ansible.sh"), {QStringLiteral("unarchive")}));
            }
            measure(QStringLiteral("(d) ReleaseDesk full release") + suffix,
                    [&, p](const QString &version) { return engine(p, version); });
            // A patch of one file onto the release just made (not wiped in between).
            const QString patchName = QStringLiteral("(e) ReleaseDesk patch, 1 file") + suffix;
            if (!m_names.contains(patchName))
                m_names.append(patchName);
            const QString base = QStringLiteral("bench-v%1-20261124000000").arg(m_versions);
            const QString patchVersion = QStringLiteral("bench-v%1-20261124000000").arg(++m_versions);
            if (deployedEverywhere(base)) {
                if (auto sample = engine(p, patchVersion, ReleaseKind::Patch)) {
                    m_results[patchName].push_back(*sample);
                    std::printf("  %-48s %7.2f s wall  %7.2f s CPU\n", qPrintable(patchName), sample->wall, sample->cpu);
                } else {
                    std::printf("  %-48s FAILED\n", qPrintable(patchName));
                }
            }
            std::fflush(stdout);
        }
    }

    auto medianOf = [&](const QString &name, double Sample::*field) -> double {
        std::vector<double> values;
        for (const Sample &s : m_results[name])
            values.push_back(s.*field);
        if (values.empty())
            return -1;
        std::sort(values.begin(), values.end());
        return values[values.size() / 2];
    };
    std::printf("\nMedians and ratios (ReleaseDesk / baseline; goals: <= 1.0 of (a), <= 0.4 of (b), <= 0.3 of the "
                "faster (c); patch <= 0.1 of full; window < 1 s)\n");
    for (int p : std::as_const(m_parallelism)) {
        const QString suffix = QStringLiteral(", p=%1").arg(p);
        const QString ours = QStringLiteral("(d) ReleaseDesk full release") + suffix;
        for (double Sample::*field : {&Sample::wall, &Sample::cpu}) {
            const char *what = field == &Sample::wall ? "wall" : "CPU ";
            const double d = medianOf(ours, field);
            const double a = medianOf(QStringLiteral("(a) xargs -P ssh 'tar xzf -' + switch") + suffix, field);
            const double b = medianOf(QStringLiteral("(b) parallel-scp + parallel-ssh") + suffix, field);
            const double b2 = medianOf(QStringLiteral("(b') parallel-ssh -I") + suffix, field);
            double c = medianOf(QStringLiteral("(c) ansible copy + shell tar") + suffix, field);
            const double c2 = medianOf(QStringLiteral("(c') ansible unarchive") + suffix, field);
            if (c < 0 || (c2 > 0 && c2 < c))
                c = c2;
            const double e = medianOf(QStringLiteral("(e) ReleaseDesk patch, 1 file") + suffix, field);
            auto ratio = [d](double base) { return base > 0 && d > 0 ? d / base : -1.0; };
            std::printf("  p=%-3d %s  ReleaseDesk %6.2f s | d/a %5.2f  d/b %5.2f  d/b' %5.2f  d/c %5.2f | patch/full %5.3f\n",
                        p, what, d, ratio(a), ratio(b), ratio(b2), ratio(c), e > 0 && d > 0 ? e / d : -1.0);
        }
        std::vector<qint64> windows;
        for (const Sample &s : m_results[ours])
            windows.push_back(s.windowMs);
        std::sort(windows.begin(), windows.end());
        if (!windows.empty())
            std::printf("  p=%-3d mixed-version window of the full release: %lld ms (median)\n", p,
                        windows[windows.size() / 2]);
    }
    std::printf("(CPU is the whole machine's, so it holds both the client and the %d sshd servers sharing its cores.)\n",
                m_hostCount);
    stopPrivateHosts(m_hosts.dir);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({{QStringLiteral("hosts"), QStringLiteral("Test hosts."), QStringLiteral("N"), QStringLiteral("50")},
                       {QStringLiteral("size-mb"), QStringLiteral("Package size."), QStringLiteral("MB"), QStringLiteral("50")},
                       {QStringLiteral("parallelism"), QStringLiteral("Comma list."), QStringLiteral("P,..."),
                        QStringLiteral("10,50")},
                       {QStringLiteral("rounds"), QStringLiteral("Rounds."), QStringLiteral("R"), QStringLiteral("1")},
                       {QStringLiteral("skip"), QStringLiteral("Baselines to leave out: a, b, c."), QStringLiteral("A,B,C"),
                        QString()}});
    parser.process(app);
    if (getuid() != 0) {
        std::fprintf(stderr, "bench_release starts sshd test hosts and needs root.\n");
        return 2;
    }
    SshLibrary library;
    QList<int> parallelism;
    for (const QString &p : parser.value(QStringLiteral("parallelism")).split(u',', Qt::SkipEmptyParts))
        parallelism.append(p.toInt());
    Bench bench(parser.value(QStringLiteral("hosts")).toInt(), parser.value(QStringLiteral("size-mb")).toInt(),
                parallelism, qMax(1, parser.value(QStringLiteral("rounds")).toInt()),
                parser.value(QStringLiteral("skip")).split(u',', Qt::SkipEmptyParts));
    return bench.run();
}
