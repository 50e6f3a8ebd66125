#pragma once

#include "ssh/hostkeyscanner.h"

#include <QDialog>

#include <memory>
#include <thread>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace rd {

class KnownHosts;

// Fetches the host keys of many servers at once (handshake only) so the operator can compare them
// and approve the new ones together. The scan blocks, so it runs on a thread of its own and hands
// its results back to the GUI thread. A changed key is never approved here: the operator first
// forgets the stored one, after checking on the server that the change is real.
class HostKeyScanDialog : public QDialog
{
    Q_OBJECT

public:
    enum Column { ServerColumn, AddressColumn, TypeColumn, FingerprintColumn, StateColumn, ActionColumn, ColumnCount };

    // The known hosts are shared with the scan's worker thread (they lock themselves).
    HostKeyScanDialog(KnownHosts &knownHosts, QList<HostKeyScanTarget> targets, QWidget *parent = nullptr);
    ~HostKeyScanDialog() override;

    void startScan();
    bool isScanning() const { return m_scanning; }
    // Remembers the checked new keys; returns how many were stored.
    int trustChecked();

signals:
    void scanFinished();

private:
    enum class RowState { Scanning, New, Known, Changed, Revoked, Unreachable };

    void showResults(const QList<HostKeyScanResult> &results);
    void fillRow(int row);
    void forgetRow(int row);
    void checkAllNew();
    void showDetails();
    void updateSummary();
    QString detailsOf(int row) const;

    QList<HostKeyScanTarget> m_targets;
    KnownHosts &m_knownHosts;
    QList<HostKeyScanResult> m_results;
    QList<RowState> m_states;
    std::thread m_scan;
    bool m_scanning = false;

    QLabel *m_summary;
    QTableWidget *m_table;
    QPlainTextEdit *m_details;
    QLabel *m_error;
    QPushButton *m_trustButton;
    QPushButton *m_checkAllButton;
    QPushButton *m_rescanButton;
};

} // namespace rd
