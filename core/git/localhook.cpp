#include "localhook.h"

#include <QEventLoop>
#include <QProcess>
#include <QTimer>

#include <csignal>
#include <sys/types.h>

namespace rd {

namespace {

constexpr int GraceMs = 3000;
constexpr int CancelPollMs = 100;

// Splits a stream into lines, keeping the unfinished tail for the next read.
class LineSplitter
{
public:
    LineSplitter(bool isError, const LocalHookRequest &request, QStringList &tail)
        : m_isError(isError), m_request(request), m_tail(tail)
    {
    }

    void feed(const QByteArray &bytes)
    {
        m_pending += bytes;
        qsizetype start = 0;
        for (qsizetype end = m_pending.indexOf('\n'); end >= 0; end = m_pending.indexOf('\n', start)) {
            emitLine(m_pending.mid(start, end - start));
            start = end + 1;
        }
        m_pending.remove(0, start);
    }

    void flush()
    {
        if (!m_pending.isEmpty())
            emitLine(m_pending);
        m_pending.clear();
    }

private:
    void emitLine(QByteArray line)
    {
        if (line.endsWith('\r'))
            line.chop(1);
        const QString text = QString::fromUtf8(line);
        m_tail.append(text);
        while (m_tail.size() > qMax(1, m_request.tailLines))
            m_tail.removeFirst();
        if (m_request.onLine)
            m_request.onLine(text, m_isError);
    }

    bool m_isError;
    const LocalHookRequest &m_request;
    QStringList &m_tail;
    QByteArray m_pending;
};

} // namespace

QMap<QString, QString> LocalHook::variables(const LocalHookContext &context, const QString &workDir)
{
    return {{QStringLiteral("RD_PROJECT"), context.project}, {QStringLiteral("RD_ENV"), context.environment},
            {QStringLiteral("RD_VERSION"), context.version}, {QStringLiteral("RD_COMMIT"), context.commit},
            {QStringLiteral("RD_REF"), context.ref},         {QStringLiteral("RD_WORK_DIR"), workDir},
            {QStringLiteral("RD_STAGE"), context.stage}};
}

Result<> LocalHook::run(const LocalHookRequest &request)
{
    const QString title = request.title.isEmpty() ? tr("The hook") : request.title;
    QProcess process;
    process.setWorkingDirectory(request.workDir);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    const auto variables = LocalHook::variables(request.context, request.workDir);
    for (auto it = variables.begin(); it != variables.end(); ++it)
        environment.insert(it.key(), it.value());
    process.setProcessEnvironment(environment);
    process.setStandardInputFile(QProcess::nullDevice());

    QStringList tail;
    LineSplitter out(false, request, tail);
    LineSplitter err(true, request, tail);
    QEventLoop loop;
    enum class Stop { None, Timeout, Cancel } stop = Stop::None;
    qint64 group = 0;

    // The group dies as a whole: TERM first, KILL for whatever is still there after the grace time.
    QTimer grace;
    grace.setSingleShot(true);
    QObject::connect(&grace, &QTimer::timeout, &loop, [&group] {
        if (group > 0)
            ::kill(pid_t(-group), SIGKILL);
    });
    auto stopGroup = [&](Stop why) {
        if (stop != Stop::None || group <= 0)
            return;
        stop = why;
        ::kill(pid_t(-group), SIGTERM);
        grace.start(GraceMs);
    };

    QTimer limit;
    limit.setSingleShot(true);
    QObject::connect(&limit, &QTimer::timeout, &loop, [&] { stopGroup(Stop::Timeout); });
    QTimer cancelPoll;
    QObject::connect(&cancelPoll, &QTimer::timeout, &loop, [&] {
        if (request.cancel && request.cancel->load())
            stopGroup(Stop::Cancel);
    });
    QObject::connect(&process, &QProcess::readyReadStandardOutput, &loop,
                     [&] { out.feed(process.readAllStandardOutput()); });
    QObject::connect(&process, &QProcess::readyReadStandardError, &loop,
                     [&] { err.feed(process.readAllStandardError()); });
    QObject::connect(&process, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&process, &QProcess::errorOccurred, &loop, [&](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            loop.quit();
    });

    // setsid makes the shell the leader of a new session and process group whose id is its pid
    // (QProcess children are never group leaders, so setsid execs in place rather than forking).
    process.start(QStringLiteral("/usr/bin/setsid"),
                  {QStringLiteral("-w"), QStringLiteral("/bin/sh"), QStringLiteral("-c"), request.script});
    if (!process.waitForStarted(-1))
        return fail(tr("%1 could not start: %2").arg(title, process.errorString()),
                    tr("Check that /bin/sh and /usr/bin/setsid exist and the work directory %1 is there.")
                        .arg(request.workDir));
    group = process.processId();
    if (request.timeoutMs > 0)
        limit.start(request.timeoutMs);
    if (request.cancel)
        cancelPoll.start(CancelPollMs);
    if (process.state() != QProcess::NotRunning)
        loop.exec();
    process.waitForFinished(-1);
    out.feed(process.readAllStandardOutput());
    err.feed(process.readAllStandardError());
    out.flush();
    err.flush();
    // Whatever the script left running in its group goes with it.
    ::kill(pid_t(-group), SIGKILL);

    const QString lastLines = tail.isEmpty() ? tr("(no output)") : tail.join(u'\n');
    switch (stop) {
    case Stop::Timeout:
        return fail(tr("%1 did not finish within %2 seconds and was stopped.").arg(title).arg(request.timeoutMs / 1000.0),
                    tr("Raise the time limit or make the hook faster. Last output:\n%1").arg(lastLines));
    case Stop::Cancel:
        return fail(tr("%1 was cancelled.").arg(title));
    case Stop::None:
        break;
    }
    if (process.exitStatus() != QProcess::NormalExit)
        return fail(tr("%1 crashed: %2").arg(title, process.errorString()),
                    tr("Last output:\n%1").arg(lastLines));
    if (process.exitCode() != 0)
        return fail(tr("%1 failed with exit code %2.").arg(title).arg(process.exitCode()),
                    tr("Fix the hook or what it builds, then run it again. Last output:\n%1").arg(lastLines));
    return {};
}

} // namespace rd
