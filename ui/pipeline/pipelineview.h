#pragma once

#include <QGraphicsView>

class QAction;

namespace rd {

class PipelineScene;

// Shows a PipelineScene: fitted to the window until the user zooms (Ctrl+wheel, Ctrl+= and Ctrl+-,
// Ctrl+1 for 100%), then left where the user put it until "Fit" (Ctrl+0). Drag to pan. A small
// tool strip in the top right corner holds the same actions and the compact toggle.
class PipelineView : public QGraphicsView
{
    Q_OBJECT

public:
    static constexpr qreal MinZoom = 0.05;
    static constexpr qreal MaxZoom = 4;
    static constexpr qreal MaxFitZoom = 1; // a small graph is fitted at its natural size, not blown up
    static constexpr qreal ZoomStep = 1.25;

    explicit PipelineView(PipelineScene *scene, QWidget *parent = nullptr);

    PipelineScene *pipelineScene() const { return m_scene; }
    qreal zoom() const { return transform().m11(); }
    bool isFitting() const { return m_fitting; }

    QAction *fitAction() const { return m_fitAction; }
    QAction *zoomInAction() const { return m_zoomInAction; }
    QAction *zoomOutAction() const { return m_zoomOutAction; }
    QAction *actualSizeAction() const { return m_actualSizeAction; }
    QAction *compactAction() const { return m_compactAction; }

public slots:
    void fitToWindow();
    void zoomIn();
    void zoomOut();
    void zoomToActualSize();

protected:
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    QAction *addViewAction(const QString &text, const QString &objectName, const QList<QKeySequence> &shortcuts);
    void applyFit();
    void setZoom(qreal zoom);
    void placeTools();

    PipelineScene *m_scene;
    QWidget *m_tools;
    QAction *m_fitAction;
    QAction *m_zoomInAction;
    QAction *m_zoomOutAction;
    QAction *m_actualSizeAction;
    QAction *m_compactAction;
    bool m_fitting = true;
};

} // namespace rd
