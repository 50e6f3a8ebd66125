// Benchmark of the live pipeline graph (issue "Pipeline graph"): 200 simulated servers stream their
// node changes and upload progress from a worker thread, as queued signals like the release engine's
// SSH workers, into a PipelineScene shown in a PipelineView at 1280x800, for 20 seconds. Each
// server goes through 06-10 at realistic rates (uploads of 40-60 MB reporting every 50 ms, hooks
// of a second or two, a few failures) and starts over when done, so the load lasts the whole run.
//
// An event-loop probe (a 5 ms timer on the GUI thread) measures the gaps between its fires: the
// longest gap is the longest stall a user would feel. Printed next to the same probe on the idle,
// shown graph (the baseline), with the peak RSS (VmHWM). Goals: stall < 50 ms, RSS < 300 MB.
//
// bench_pipeline [--servers N] [--seconds S] [--full]
//   --full keeps every lane at full size instead of the compact mode chosen above 40 servers.

#include "pipeline/pipelinescene.h"
#include "pipeline/pipelineview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <sys/resource.h>
#include <vector>

using namespace rd;

namespace {

constexpr qint64 StallGoalMs = 50;
constexpr qint64 RssGoalMiB = 300;
constexpr int ProbeIntervalMs = 5;
constexpr int BaselineSeconds = 3;

QStringList serverNames(int count)
{
    QStringList names;
    for (int i = 1; i <= count; ++i)
        names << QStringLiteral("app-%1.prod.example.net").arg(i, 3, 10, QLatin1Char('0'));
    return names;
}

qint64 peakRssKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// Fires every 5 ms and keeps the gaps between fires.
class LatencyProbe
{
public:
    void start()
    {
        m_gapsUs.clear();
        m_gapsUs.reserve(8192);
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(ProbeIntervalMs);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed() / 1000;
            if (m_last >= 0)
                m_gapsUs.push_back(now - m_last);
            m_last = now;
        });
        m_last = -1;
        m_clock.start();
        m_timer.start();
    }
    void stop()
    {
        m_timer.stop();
        QObject::disconnect(&m_timer, nullptr, nullptr, nullptr);
    }
    double maxMs() const { return m_gapsUs.empty() ? 0 : *std::max_element(m_gapsUs.begin(), m_gapsUs.end()) / 1000.0; }
    double percentileMs(double p) const
    {
        if (m_gapsUs.empty())
            return 0;
        std::vector<qint64> sorted = m_gapsUs;
        std::sort(sorted.begin(), sorted.end());
        return sorted[std::min(sorted.size() - 1, size_t(p * double(sorted.size())))] / 1000.0;
    }
    size_t samples() const { return m_gapsUs.size(); }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = -1;
    std::vector<qint64> m_gapsUs;
};

// The servers of a release, simulated on a worker thread: every 10 ms it moves each server along
// its stages and reports what changed, as the engine's workers do.
class FleetSimulator : public QObject
{
    Q_OBJECT

public:
    explicit FleetSimulator(QStringList servers) : m_names(std::move(servers)), m_random(42) {}

    std::atomic<qint64> nodeSignals{0};
    std::atomic<qint64> progressSignals{0};
    std::atomic<qint64> failures{0};

    void start()
    {
        m_clock.start();
        m_servers.resize(size_t(m_names.size()));
        for (Server &server : m_servers)
            server.nextRoundAt = 1500 + m_random.bounded(3000); // after the local chain, staggered
        m_timer = new QTimer(this);
        m_timer->setTimerType(Qt::PreciseTimer);
        connect(m_timer, &QTimer::timeout, this, &FleetSimulator::step);
        m_timer->start(10);
    }

signals:
    void nodeChanged(const QString &server, rd::NodeStage stage, rd::NodeState state, const QString &detail);
    void uploadProgress(const QString &server, qint64 done, qint64 total);
    void localStageChanged(int stage, rd::NodeState state, const QString &detail);

private:
    struct Server
    {
        int stage = -1; // index into 06-10 while running, -1 between rounds
        qint64 nextRoundAt = 0;
        qint64 stageStart = 0;
        qint64 stageEnd = 0;
        qint64 uploadTotal = 0;
        qint64 nextProgressAt = 0;
        bool fails = false;
        bool dirty = false; // has states from an earlier round
    };

    qint64 stageLength(int index)
    {
        static constexpr int Ranges[5][2] = {{4000, 10000}, {500, 2000}, {300, 1200}, {1000, 3000}, {500, 2500}};
        return Ranges[index][0] + m_random.bounded(Ranges[index][1] - Ranges[index][0]);
    }

    void emitNode(const QString &name, int index, NodeState state, const QString &detail = {})
    {
        ++nodeSignals;
        emit nodeChanged(name, NodeStage(int(NodeStage::Upload) + index), state, detail);
    }

    void startStage(Server &server, const QString &name, int index, qint64 now)
    {
        server.stage = index;
        server.stageStart = now;
        server.stageEnd = now + stageLength(index);
        server.fails = m_random.bounded(100) < 2;
        if (index == 0) {
            server.uploadTotal = (40 + m_random.bounded(20)) * 1024 * 1024;
            server.nextProgressAt = now + 50;
        }
        emitNode(name, index, NodeState::Running);
    }

    void step()
    {
        const qint64 now = m_clock.elapsed();
        // The local chain once, at the start: 300 ms a stage.
        if (!m_localStarted) {
            m_localStarted = true;
            emit localStageChanged(1, NodeState::Running, {});
        }
        while (m_localStage < 5 && now >= 300 * (m_localStage + 1)) {
            emit localStageChanged(m_localStage + 1, NodeState::Succeeded, {});
            if (++m_localStage < 5)
                emit localStageChanged(m_localStage + 1, NodeState::Running, {});
        }
        for (qsizetype i = 0; i < m_names.size(); ++i) {
            Server &server = m_servers[size_t(i)];
            const QString &name = m_names[i];
            if (server.stage < 0) {
                if (now < server.nextRoundAt)
                    continue;
                if (server.dirty) {
                    for (int index = 0; index < 5; ++index)
                        emitNode(name, index, NodeState::Pending);
                }
                server.dirty = true;
                startStage(server, name, 0, now);
                continue;
            }
            if (server.stage == 0 && now >= server.nextProgressAt && now < server.stageEnd) {
                const qint64 done =
                    server.uploadTotal * (now - server.stageStart) / (server.stageEnd - server.stageStart);
                ++progressSignals;
                emit uploadProgress(name, done, server.uploadTotal);
                server.nextProgressAt += 50;
            }
            if (now < server.stageEnd)
                continue;
            if (server.fails) {
                ++failures;
                emitNode(name, server.stage, NodeState::Failed, QStringLiteral("exit code 1"));
                for (int index = server.stage + 1; index < 5; ++index)
                    emitNode(name, index, NodeState::Skipped);
            } else {
                if (server.stage == 0) {
                    ++progressSignals;
                    emit uploadProgress(name, server.uploadTotal, server.uploadTotal);
                }
                emitNode(name, server.stage, NodeState::Succeeded);
                if (server.stage < 4) {
                    startStage(server, name, server.stage + 1, now);
                    continue;
                }
            }
            server.stage = -1;
            server.nextRoundAt = now + 1000 + m_random.bounded(1000);
        }
    }

    QStringList m_names;
    std::vector<Server> m_servers;
    QRandomGenerator m_random;
    QElapsedTimer m_clock;
    QTimer *m_timer = nullptr;
    int m_localStage = 0;
    bool m_localStarted = false;
};

// The view, with the time each paint of its viewport takes.
class TimedView : public PipelineView
{
public:
    using PipelineView::PipelineView;

    std::vector<qint64> paintsUs;

protected:
    void paintEvent(QPaintEvent *event) override
    {
        QElapsedTimer timer;
        timer.start();
        PipelineView::paintEvent(event);
        paintsUs.push_back(timer.nsecsElapsed() / 1000);
    }
};

double threadCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void runFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    int serverCount = 200;
    int seconds = 20;
    bool full = false;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args[i] == u"--servers" && i + 1 < args.size())
            serverCount = qMax(1, args[++i].toInt());
        else if (args[i] == u"--seconds" && i + 1 < args.size())
            seconds = qMax(1, args[++i].toInt());
        else if (args[i] == u"--full")
            full = true;
        else {
            std::fprintf(stderr, "usage: bench_pipeline [--servers N] [--seconds S] [--full]\n");
            return 2;
        }
    }

    const QStringList names = serverNames(serverCount);
    PipelineScene scene;
    scene.setServers(names, names.mid(0, 2));
    if (full)
        scene.setCompact(false);
    TimedView view(&scene);
    view.resize(1280, 800);
    view.show();
    runFor(500);

    std::printf("bench_pipeline: %d servers for %d s into a shown %s graph at 1280x800 (%s platform)\n", serverCount,
                seconds, scene.isCompact() ? "compact" : "full", qPrintable(QGuiApplication::platformName()));

    LatencyProbe probe;
    probe.start();
    runFor(BaselineSeconds * 1000);
    probe.stop();
    const double idleMax = probe.maxMs();
    const double idleP99 = probe.percentileMs(0.99);
    std::printf("  baseline, idle shown graph (%d s, %zu gaps):  longest gap %6.1f ms, p99 %5.1f ms\n", BaselineSeconds,
                probe.samples(), idleMax, idleP99);

    QThread worker;
    auto *simulator = new FleetSimulator(names);
    simulator->moveToThread(&worker);
    QObject::connect(&worker, &QThread::finished, simulator, &QObject::deleteLater);
    QObject::connect(simulator, &FleetSimulator::nodeChanged, &scene, &PipelineScene::setNodeState);
    QObject::connect(simulator, &FleetSimulator::uploadProgress, &scene, &PipelineScene::setUploadProgress);
    QObject::connect(simulator, &FleetSimulator::localStageChanged, &scene, &PipelineScene::setLocalStageState);
    worker.start();
    const int layoutsBefore = scene.layoutCount();
    view.paintsUs.clear();
    const double cpuBefore = threadCpuSeconds();
    probe.start();
    QMetaObject::invokeMethod(simulator, &FleetSimulator::start, Qt::QueuedConnection);
    runFor(seconds * 1000);
    probe.stop();
    const double guiCpu = threadCpuSeconds() - cpuBefore;
    const qint64 nodeSignals = simulator->nodeSignals;
    const qint64 progressSignals = simulator->progressSignals;
    const qint64 failures = simulator->failures;
    worker.quit();
    worker.wait();

    const double liveMax = probe.maxMs();
    const double liveP99 = probe.percentileMs(0.99);
    const qint64 rssMiB = peakRssKiB() / 1024;
    std::printf("  live graph (%d s, %zu gaps):                 longest gap %6.1f ms, p99 %5.1f ms   "
                "goal < %lld ms: %s\n",
                seconds, probe.samples(), liveMax, liveP99, qint64(StallGoalMs),
                liveMax < StallGoalMs ? "met" : "MISSED");
    std::printf("  streamed: %lld node changes, %lld upload progress reports (%.0f signals/s), %lld failed "
                "stages, %d relayouts\n",
                nodeSignals, progressSignals, double(nodeSignals + progressSignals) / seconds, failures,
                scene.layoutCount() - layoutsBefore);
    std::vector<qint64> paints = view.paintsUs;
    std::sort(paints.begin(), paints.end());
    double paintTotal = 0;
    for (qint64 us : paints)
        paintTotal += us / 1000.0;
    std::printf("  GUI thread CPU: %.1f s of %d s (%.0f%%); %zu viewport paints, median %.1f ms, longest %.1f ms, "
                "%.1f s in all\n",
                guiCpu, seconds, 100 * guiCpu / seconds, paints.size(),
                paints.empty() ? 0.0 : paints[paints.size() / 2] / 1000.0,
                paints.empty() ? 0.0 : paints.back() / 1000.0, paintTotal / 1000);
    std::printf("  peak RSS (VmHWM): %lld MiB   goal < %lld MiB: %s\n", rssMiB, qint64(RssGoalMiB),
                rssMiB >= 0 && rssMiB < RssGoalMiB ? "met" : "MISSED");
    return 0;
}

#include "bench_pipeline.moc"
