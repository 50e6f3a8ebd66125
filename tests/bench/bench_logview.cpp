// Benchmark of the log docks: a thread appends 1,000,000 lines to a server log in batches of 1,000
// (as fast as it can, like a release with a very chatty hook) while a shown LogView polls the file
// on the GUI thread (offscreen platform). Measured: the time until every line is a row of the model,
// the GUI thread's longest stall (a 5 ms timer measures the gap between its fires) and peak memory
// (VmHWM). The baseline in the same run is the naive dock: a QPlainTextEdit that reads the appended
// bytes on the same 200 ms poll and calls appendPlainText for each line. It is slow, so it gets
// fewer lines (200,000 by default) and the LogView runs that size too, for the ratios.
// Each run is its own child process, so each peak RSS is that run's alone.
//
// bench_logview [--lines N] [--baseline-lines N]
// bench_logview --child view|plaintext N   (internal: one measured run, printed as key=value)

#include "logs/logfilemodel.h"
#include "logs/logview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFontDatabase>
#include <QMap>
#include <QPlainTextEdit>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <thread>

using namespace rd;

namespace {

constexpr int BatchLines = 1000;
constexpr int ProbeMs = 5;
constexpr int TimeoutMs = 15 * 60 * 1000;

long statusKb(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').value(0).toLong();
    return -1;
}

// Appends `lines` NodeLog records in batches, one write per batch, every seventh line on stderr.
void writeLines(const QString &path, int lines, std::atomic<qint64> *doneNs, const QElapsedTimer *clock)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
        return;
    QByteArray batch;
    for (int first = 0; first < lines; first += BatchLines) {
        batch.clear();
        const QByteArray time = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8();
        for (int i = first; i < std::min(lines, first + BatchLines); ++i) {
            batch += time;
            batch += i % 7 == 0 ? " E " : " O ";
            batch += "GET /api/orders/" + QByteArray::number(i) + " 200 3ms upstream=10.0.0." +
                     QByteArray::number(i % 250) + '\n';
        }
        file.write(batch);
    }
    doneNs->store(clock->nsecsElapsed());
}

qint64 threadCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1000000000 + now.tv_nsec;
}

// The GUI thread's longest gap between two fires of a 5 ms timer, while it runs; and the most CPU
// time the thread itself used within one gap, because on a busy machine a gap also holds the time
// the thread waited for a CPU.
class StallProbe : public QObject
{
public:
    StallProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(ProbeMs);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            const qint64 cpu = threadCpuNs();
            const double gap = (now - m_last) / 1e6;
            m_longest = std::max(m_longest, gap);
            m_longestCpu = std::max(m_longestCpu, (cpu - m_lastCpu) / 1e6);
            if (gap > 50)
                ++m_over50;
            m_last = now;
            m_lastCpu = cpu;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_lastCpu = threadCpuNs();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    double longestMs() const { return m_longest; }
    double longestCpuMs() const { return m_longestCpu; }
    int over50() const { return m_over50; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_lastCpu = 0;
    double m_longest = 0;
    double m_longestCpu = 0;
    int m_over50 = 0;
};

int child(const QString &kind, int lines)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("web-01.log"));
    std::unique_ptr<QWidget> widget;
    LogView *view = nullptr;
    QPlainTextEdit *edit = nullptr;
    if (kind == QStringLiteral("view")) {
        view = new LogView;
        widget.reset(view);
        view->setLogFile(path);
    } else {
        edit = new QPlainTextEdit;
        edit->setReadOnly(true);
        edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        widget.reset(edit);
    }
    widget->resize(1200, 800);
    widget->show();
    if (!QTest::qWaitForWindowExposed(widget.get()))
        return 1;
    QTest::qWait(200);
    const long rssBefore = statusKb("VmRSS");
    const long hwmBefore = statusKb("VmHWM");

    QElapsedTimer clock;
    std::atomic<qint64> writerDoneNs{-1};
    qint64 allRowsNs = -1;
    QEventLoop loop;
    int shown = 0;
    // The probe runs on a while after the last line, so the stall that showed it (and the layout
    // and paint after it) is measured too.
    const auto finish = [&loop] { QTimer::singleShot(500, &loop, &QEventLoop::quit); };
    // The naive dock: the appended bytes, split into lines, each appended to the text edit.
    QTimer poll;
    QFile tail(path);
    QByteArray pending;
    if (edit) {
        poll.setInterval(200);
        QObject::connect(&poll, &QTimer::timeout, [&] {
            if (!tail.isOpen() && !tail.open(QIODevice::ReadOnly))
                return;
            pending += tail.readAll();
            qsizetype start = 0;
            for (qsizetype end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n', start)) {
                edit->appendPlainText(QString::fromUtf8(pending.constData() + start, end - start));
                ++shown;
                start = end + 1;
            }
            pending.remove(0, start);
            if (shown == lines && allRowsNs < 0) {
                allRowsNs = clock.nsecsElapsed();
                finish();
            }
        });
        poll.start();
    } else {
        QObject::connect(view->model(), &QAbstractItemModel::rowsInserted, [&] {
            if (view->model()->rowCount() == lines && allRowsNs < 0) {
                allRowsNs = clock.nsecsElapsed();
                finish();
            }
        });
    }
    StallProbe probe;
    probe.start();
    clock.start();
    std::thread writer(writeLines, path, lines, &writerDoneNs, &clock);
    QTimer::singleShot(TimeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    probe.stop();
    writer.join();

    std::printf("lines=%d\n", kind == QStringLiteral("view") ? view->model()->rowCount() : shown);
    std::printf("complete=%d\n", allRowsNs >= 0 ? 1 : 0);
    std::printf("total_s=%.3f\n", allRowsNs / 1e9);
    std::printf("writer_s=%.3f\n", writerDoneNs.load() / 1e9);
    std::printf("longest_stall_ms=%.1f\n", probe.longestMs());
    std::printf("longest_stall_cpu_ms=%.1f\n", probe.longestCpuMs());
    std::printf("stalls_over_50ms=%d\n", probe.over50());
    std::printf("rss_before_kb=%ld\n", rssBefore);
    std::printf("hwm_before_kb=%ld\n", hwmBefore);
    std::printf("hwm_after_kb=%ld\n", statusKb("VmHWM"));
    std::printf("rss_after_kb=%ld\n", statusKb("VmRSS"));
    if (view && allRowsNs >= 0) {
        // A search from the top for the last line, and a count over every line, on the GUI thread.
        const LogFileIndex &index = view->model()->logIndex();
        const QString needle = QStringLiteral("/orders/%1 ").arg(lines - 1);
        QElapsedTimer search;
        search.start();
        const int row = index.find(needle, 0, false, Qt::CaseInsensitive);
        std::printf("find_last_ms=%.1f\n", search.nsecsElapsed() / 1e6);
        search.restart();
        const int count = index.countMatches(QStringLiteral("upstream=10.0.0.7"), Qt::CaseSensitive);
        std::printf("count_all_ms=%.1f\n", search.nsecsElapsed() / 1e6);
        std::printf("find_ok=%d\n", row == lines - 1 && count > 0 ? 1 : 0);
    }
    std::fflush(stdout);
    return allRowsNs >= 0 ? 0 : 1;
}

QMap<QString, QString> runChild(const QString &program, const QString &kind, int lines)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(program, {QStringLiteral("--child"), kind, QString::number(lines)});
    QMap<QString, QString> figures;
    if (!process.waitForFinished(TimeoutMs + 60'000) || process.exitStatus() != QProcess::NormalExit) {
        std::fprintf(stderr, "the %s run did not finish\n", qPrintable(kind));
        return figures;
    }
    for (const QByteArray &line : process.readAllStandardOutput().split('\n')) {
        const qsizetype at = line.indexOf('=');
        if (at > 0)
            figures.insert(QString::fromUtf8(line.left(at)), QString::fromUtf8(line.mid(at + 1)));
    }
    figures.insert(QStringLiteral("exit"), QString::number(process.exitCode()));
    return figures;
}

double number(const QMap<QString, QString> &figures, const char *key)
{
    return figures.value(QString::fromLatin1(key)).toDouble();
}

void print(const char *title, const QMap<QString, QString> &f)
{
    if (f.isEmpty()) {
        std::printf("%-34s did not run\n", title);
        return;
    }
    std::printf("%-34s %.0f lines%s: all shown (rows in the model, or lines in the editor) after %.2f s (the "
                "writer was done after %.2f s)\n",
                title, number(f, "lines"), number(f, "complete") > 0 ? "" : " (INCOMPLETE)",
                number(f, "total_s"), number(f, "writer_s"));
    std::printf(
        "%-34s GUI thread: longest stall %.1f ms (%.0f over 50 ms), its own CPU time in one gap at most "
        "%.1f ms\n",
        "", number(f, "longest_stall_ms"), number(f, "stalls_over_50ms"), number(f, "longest_stall_cpu_ms"));
    std::printf("%-34s memory: RSS %.1f MB before, peak (VmHWM) %.1f MB after: +%.1f MB\n", "",
                number(f, "rss_before_kb") / 1024, number(f, "hwm_after_kb") / 1024,
                (number(f, "hwm_after_kb") - number(f, "rss_before_kb")) / 1024);
    if (f.contains(QStringLiteral("find_last_ms")))
        std::printf("%-34s find the last line from the top %.1f ms, count matches in every line %.1f ms%s\n",
                    "", number(f, "find_last_ms"), number(f, "count_all_ms"),
                    number(f, "find_ok") > 0 ? "" : " (WRONG RESULT)");
}

double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    if (arguments.size() == 4 && arguments.at(1) == QStringLiteral("--child"))
        return child(arguments.at(2), arguments.at(3).toInt());

    int lines = 1'000'000;
    int baselineLines = 200'000;
    if (const qsizetype at = arguments.indexOf(QStringLiteral("--lines"));
        at > 0 && at + 1 < arguments.size())
        lines = std::max(1000, arguments.at(at + 1).toInt());
    if (const qsizetype at = arguments.indexOf(QStringLiteral("--baseline-lines"));
        at > 0 && at + 1 < arguments.size())
        baselineLines = std::max(1000, arguments.at(at + 1).toInt());

    std::printf(
        "a writer thread appends lines in batches of %d while the widget, shown on the %s platform, "
        "follows the file;\nthe QPlainTextEdit baseline gets %d lines (appendPlainText is too slow for "
        "%d), and LogView runs that size too for the ratios\n",
        BatchLines, qPrintable(QGuiApplication::platformName()), baselineLines, lines);
    // Wall-clock stalls include time the GUI thread waited for a CPU: the load says how busy the machine was.
    QFile load(QStringLiteral("/proc/loadavg"));
    if (load.open(QIODevice::ReadOnly))
        std::printf("load average at start: %s (%d CPUs)\n\n", load.readAll().trimmed().constData(),
                    QThread::idealThreadCount());
    const QString self = QCoreApplication::applicationFilePath();
    const auto full = runChild(self, QStringLiteral("view"), lines);
    print(qPrintable(QStringLiteral("LogView, %1 lines").arg(lines)), full);
    const auto view = runChild(self, QStringLiteral("view"), baselineLines);
    print(qPrintable(QStringLiteral("LogView, %1 lines").arg(baselineLines)), view);
    const auto plain = runChild(self, QStringLiteral("plaintext"), baselineLines);
    print(qPrintable(QStringLiteral("QPlainTextEdit, %1 lines").arg(baselineLines)), plain);

    if (!view.isEmpty() && !plain.isEmpty()) {
        std::printf("\nLogView / QPlainTextEdit at %d lines: time until all shown %.3f, longest stall %.3f "
                    "(its own CPU "
                    "%.3f), memory added %.3f\n",
                    baselineLines, ratio(number(view, "total_s"), number(plain, "total_s")),
                    ratio(number(view, "longest_stall_ms"), number(plain, "longest_stall_ms")),
                    ratio(number(view, "longest_stall_cpu_ms"), number(plain, "longest_stall_cpu_ms")),
                    ratio(number(view, "hwm_after_kb") - number(view, "rss_before_kb"),
                          number(plain, "hwm_after_kb") - number(plain, "rss_before_kb")));
    }
    const bool ok = full.value(QStringLiteral("exit")) == QStringLiteral("0") &&
                    view.value(QStringLiteral("exit")) == QStringLiteral("0") &&
                    plain.value(QStringLiteral("exit")) == QStringLiteral("0");
    return ok ? 0 : 1;
}
