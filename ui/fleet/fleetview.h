#pragma once

#include <QDateTime>
#include <QWidget>

#include <memory>

class QAction;
class QComboBox;
class QLabel;
class QProgressBar;

namespace rd {

class RecordTableView;

class FleetTableModel;
class InventoryStore;
class Workspace;

// What every server of an environment (or of all environments of a project) runs: release, commit,
// time, operator, lock, and drift from the environment's release. Reading runs in FleetStatus's SSH
// pool, never on the GUI thread, and each server's row fills in as it answers. Unknown host keys
// are refused, never trusted; servers whose stored key needs the locked vault are shown as not
// readable, with the reason.
class FleetView : public QWidget
{
    Q_OBJECT

public:
    // The inventory is only read. Host keys come from the workspace's known hosts, and the
    // release each environment should run from its last successful task.
    FleetView(Workspace &workspace, QWidget *parent = nullptr);
    ~FleetView() override;

    // Re-reads the projects and environments for the choosers (after the inventory changed).
    void reloadInventory();
    // Shows one environment, or every environment of the project when `environment` is empty, and
    // reads it. False when the inventory has no such project or environment.
    bool setEnvironment(const QString &project, const QString &environment = {});
    // Reads the chosen servers again; a reading still under way is left to finish unseen.
    void refresh();

    bool isReading() const { return m_pending > 0; }
    QDateTime lastReadAt() const { return m_lastRead; }
    FleetTableModel *model() const { return m_model; }
    QAction *refreshAction() const { return m_refreshAction; }

signals:
    // Every server of the last refresh has answered or failed.
    void readFinished();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void fillEnvironments();
    void finishOne();
    void updateSummary();
    void showDetails();

    Workspace &m_workspace;
    const InventoryStore &m_store;
    FleetTableModel *m_model;
    RecordTableView *m_table;
    QComboBox *m_project;
    QComboBox *m_environment;
    QProgressBar *m_busy;
    QLabel *m_lastReadLabel;
    QLabel *m_summary;
    QLabel *m_details;
    QLabel *m_banner;
    QAction *m_refreshAction;
    int m_generation = 0; // of the current reading; answers of older ones are ignored
    int m_pending = 0;    // environments of the current reading not finished yet
    QDateTime m_lastRead;
};

} // namespace rd
