#pragma once

#include "release/nodestate.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>
#include <QString>

namespace rd {

// What the CLI prints while a release task runs, on stderr. On a terminal: one live line with
// each stage's count of servers done, a line for each failure as it happens, and per-server stage
// lines only when asked (--verbose); a 200-server release stays a screenful. Elsewhere (a log, a
// pipeline): one line per server and stage, as a log wants it.
class ReleaseProgress
{
    Q_DECLARE_TR_FUNCTIONS(ReleaseProgress)

public:
    ReleaseProgress(int serverCount, bool terminal, bool verbose);
    ~ReleaseProgress();
    ReleaseProgress(const ReleaseProgress &) = delete;
    ReleaseProgress &operator=(const ReleaseProgress &) = delete;

    void nodeChanged(const QString &server, NodeStage stage, NodeState state, const QString &detail);
    // A whole line (a summary, a question answered): the live line makes room for it.
    void message(const QString &line);

private:
    void redraw();
    void clearLive();
    static QString serverLine(const QString &server, NodeStage stage, NodeState state, const QString &detail);

    int m_serverCount;
    bool m_terminal;
    bool m_verbose;
    bool m_liveShown = false;
    // Per stage, the servers that are through it (succeeded or skipped) and that failed it.
    QHash<int, QSet<QString>> m_through;
    QHash<int, QSet<QString>> m_failed;
};

} // namespace rd
