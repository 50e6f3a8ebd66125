#include "releaseprogress.h"

#include <QStringList>
#include <QTextStream>

#include <cstdio>

namespace rd {

namespace {

constexpr NodeStage Stages[] = {NodeStage::Upload, NodeStage::Prepare, NodeStage::Release, NodeStage::AfterRelease,
                                NodeStage::Health};

void write(const QString &text)
{
    QTextStream err(stderr);
    err << text;
    err.flush();
}

QString stageLabel(NodeStage stage)
{
    return QStringLiteral("%1 %2").arg(int(stage), 2, 10, QLatin1Char('0')).arg(nodeStageName(stage));
}

} // namespace

ReleaseProgress::ReleaseProgress(int serverCount, bool terminal, bool verbose)
    : m_serverCount(serverCount), m_terminal(terminal), m_verbose(verbose)
{
}

ReleaseProgress::~ReleaseProgress()
{
    // The live line stays as the last word on the stages, ended like any other line.
    if (m_liveShown)
        write(QStringLiteral("\n"));
}

QString ReleaseProgress::serverLine(const QString &server, NodeStage stage, NodeState state, const QString &detail)
{
    return QStringLiteral("%1  %2 %3%4")
        .arg(server, stageLabel(stage), nodeStateName(state),
             detail.isEmpty() ? QString() : QStringLiteral("  ") + detail);
}

void ReleaseProgress::nodeChanged(const QString &server, NodeStage stage, NodeState state, const QString &detail)
{
    if (state == NodeState::Pending || state == NodeState::Running)
        return;
    if (!m_terminal) {
        message(serverLine(server, stage, state, detail));
        return;
    }
    if (state == NodeState::Succeeded || state == NodeState::Skipped)
        m_through[int(stage)].insert(server);
    else if (state == NodeState::Failed)
        m_failed[int(stage)].insert(server);
    // Failures are told as they happen; the rest only when asked for.
    if (m_verbose || state == NodeState::Failed)
        message(serverLine(server, stage, state, detail));
    else
        redraw();
}

void ReleaseProgress::message(const QString &line)
{
    clearLive();
    write(line + u'\n');
    if (m_terminal)
        redraw();
}

void ReleaseProgress::clearLive()
{
    if (!m_liveShown)
        return;
    // Back to the start of the line and erase it (ANSI: every terminal emulator in use reads it).
    write(QStringLiteral("\r\x1b[K"));
    m_liveShown = false;
}

void ReleaseProgress::redraw()
{
    QStringList parts;
    int failed = 0;
    for (NodeStage stage : Stages) {
        const auto through = m_through.value(int(stage)).size();
        failed += int(m_failed.value(int(stage)).size());
        if (through > 0 || !m_failed.value(int(stage)).isEmpty())
            parts.append(QStringLiteral("%1 %2/%3").arg(stageLabel(stage)).arg(through).arg(m_serverCount));
    }
    if (parts.isEmpty())
        return;
    if (failed > 0)
        parts.append(tr("%n failed", nullptr, failed));
    clearLive();
    write(parts.join(QStringLiteral(" · ")));
    m_liveShown = true;
}

} // namespace rd
