// The OWL API's OWL 2 DL profile checker on one ontology document: prints each violation on a
// line, then IN PROFILE or NOT IN PROFILE. Run by tests/test_owl.py with Java's single-file
// source launcher (java -cp HermiT.jar ProfileCheck.java FILE; needs a JDK) against the OWL API
// 3.4 that owlready2's HermiT.jar carries. Part of bpfgraph (Apache-2.0).
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;

public class ProfileCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation v : report.getViolations()) {
            System.out.println(v.toString().replace('\n', ' '));
        }
        System.out.println(report.isInProfile() ? "IN PROFILE" : "NOT IN PROFILE");
    }
}
