#pragma once

#include "release/releaseplan.h"
#include "release/serverplan.h"

#include <QDialog>

#include <memory>

class QLabel;
class QPlainTextEdit;
class QTreeWidget;

namespace rd {

class ReleaseDryRun;
class Workspace;

// The engine's dry run before Start: per server the host key state, where `current` points, the
// kept releases, free disk, the lock holder, what would stop the release, and the commands it would
// run. Changes nothing anywhere; the reading runs in the dry run's own SSH workers.
class PlanPreviewDialog : public QDialog
{
    Q_OBJECT

public:
    PlanPreviewDialog(const ReleasePlan &plan, Workspace &workspace, QWidget *parent = nullptr);
    ~PlanPreviewDialog() override;

    bool isDone() const { return m_done; }
    int blockedServers() const;
    QList<ServerPlan> results() const { return m_results; }

signals:
    void done();

private:
    void finished(const QList<ServerPlan> &servers);
    void showSteps();

    std::unique_ptr<ReleaseDryRun> m_dryRun;
    QLabel *m_summary;
    QTreeWidget *m_servers;
    QPlainTextEdit *m_steps;
    QList<ServerPlan> m_results;
    bool m_done = false;
};

} // namespace rd
